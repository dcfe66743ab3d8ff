import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';

/**
 * Takes the lease of job `name` for `ttlMs` when no other node holds a current one (or
 * this node already does); true when this node holds it now. One statement, so two
 * nodes asking at once cannot both get it.
 */
export async function takeJobLease(db: Db, name: string, nodeId: string, ttlMs: number): Promise<boolean> {
  const { rows } = await sql<{ node_id: string }>`
    insert into job_leases (name, node_id, expires_at) values (${name}, ${nodeId}, now() + ${ttlMs} * interval '1 millisecond')
    on conflict (name) do update set node_id = excluded.node_id, expires_at = excluded.expires_at
      where job_leases.expires_at <= now() or job_leases.node_id = excluded.node_id
    returning node_id`.execute(db);
  return rows.length === 1;
}

/** Gives the lease back early (the job is done), so the next run need not wait for it to lapse. */
export async function releaseJobLease(db: Db, name: string, nodeId: string): Promise<void> {
  await db.deleteFrom('job_leases').where('name', '=', name).where('node_id', '=', nodeId).execute();
}
