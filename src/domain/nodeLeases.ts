import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';

/** Starts or extends this node's lease: it is alive for `ttlMs` from now. */
export async function renewNodeLease(db: Db, nodeId: string, ttlMs: number): Promise<void> {
  await sql`
    insert into node_leases (node_id, expires_at) values (${nodeId}, now() + ${ttlMs} * interval '1 millisecond')
    on conflict (node_id) do update set expires_at = excluded.expires_at`.execute(db);
}

/** This node stops: its lease ends and the chargers it still shows online go offline. */
export async function endNodeLease(db: Db, nodeId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('chargers').set({ online: false, status: 'Unavailable', node_id: null, presence_at: new Date() })
      .where('online', '=', true).where('node_id', '=', nodeId).execute();
    await trx.deleteFrom('node_leases').where('node_id', '=', nodeId).execute();
  });
}

/**
 * Chargers shown online by a node whose lease lapsed (it died without stopping) go
 * offline; lapsed leases are forgotten. Returns how many chargers went offline. Safe to
 * run on every node at once: each charger changes once.
 */
export async function releaseLapsedNodes(db: Db): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { numAffectedRows } = await sql`
      update chargers set online = false, status = 'Unavailable', node_id = null, presence_at = now()
      where online and not exists (select 1 from node_leases n where n.node_id = chargers.node_id and n.expires_at > now())`.execute(trx);
    await sql`delete from node_leases where expires_at <= now()`.execute(trx);
    return Number(numAffectedRows ?? 0);
  });
}

/** The nodes whose leases are current, for /health. */
export async function liveNodes(db: Db): Promise<{ nodeId: string; startedAt: Date; chargers: number }[]> {
  const { rows } = await sql<{ node_id: string; started_at: Date; chargers: string | number }>`
    select n.node_id, n.started_at, (select count(*) from chargers c where c.online and c.node_id = n.node_id) as chargers
    from node_leases n where n.expires_at > now() order by n.node_id`.execute(db);
  return rows.map((row) => ({ nodeId: row.node_id, startedAt: new Date(row.started_at), chargers: Number(row.chargers) }));
}
