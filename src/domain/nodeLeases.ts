import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { ChargerId } from './units.ts';

/** Starts or extends this node's lease: it is alive for `ttlMs` from now. */
export async function renewNodeLease(db: Db, nodeId: string, ttlMs: number): Promise<void> {
  await sql`
    insert into node_leases (node_id, expires_at) values (${nodeId}, now() + ${ttlMs} * interval '1 millisecond')
    on conflict (node_id) do update set expires_at = excluded.expires_at`.execute(db);
}

/**
 * This node stops: its lease ends and the chargers it still shows online go offline.
 * Like the lapse below, this is no news from a charger, so `presence_at` keeps the time
 * of the last change a node reported: a charger that meanwhile connected to another node
 * (its change reported, not yet stored) is shown online when that change is stored.
 */
export async function endNodeLease(db: Db, nodeId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('chargers').set({ online: false, status: 'Unavailable', node_id: null })
      .where('online', '=', true).where('node_id', '=', nodeId).execute();
    await trx.deleteFrom('node_leases').where('node_id', '=', nodeId).execute();
  });
}

/**
 * Chargers shown online by a node whose lease lapsed (it died without stopping) go
 * offline; lapsed leases are forgotten. Returns the chargers that went offline. Safe to
 * run on every node at once: each charger changes once. `presence_at` is left as the dead
 * node last set it: a charger that reconnected to another node just before this ran, but
 * whose change that node stores only after it, is still newer and shown online (stamping
 * the lapse's time would make that change look stale and leave the charger offline).
 */
export async function releaseLapsedNodes(db: Db): Promise<ChargerId[]> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: number }>`
      update chargers set online = false, status = 'Unavailable', node_id = null
      where online and not exists (select 1 from node_leases n where n.node_id = chargers.node_id and n.expires_at > now())
      returning id`.execute(trx);
    await sql`delete from node_leases where expires_at <= now()`.execute(trx);
    return rows.map((row) => row.id);
  });
}

/** The nodes whose leases are current, for /health. */
export async function liveNodes(db: Db): Promise<{ nodeId: string; startedAt: Date; chargers: number }[]> {
  const { rows } = await sql<{ node_id: string; started_at: Date; chargers: string | number }>`
    select n.node_id, n.started_at, (select count(*) from chargers c where c.online and c.node_id = n.node_id) as chargers
    from node_leases n where n.expires_at > now() order by n.node_id`.execute(db);
  return rows.map((row) => ({ nodeId: row.node_id, startedAt: new Date(row.started_at), chargers: Number(row.chargers) }));
}
