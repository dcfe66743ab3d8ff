import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { Wh } from '../units.ts';

/** Wh delivered by every completed session, the fleet over. */
export async function energyDeliveredWh(db: Db): Promise<Wh> {
  const { wh } = await db.selectFrom('charging_sessions')
    .select(sql<string>`coalesce(sum(energy_wh), 0)`.as('wh'))
    .where('status', '=', 'Completed')
    .executeTakeFirstOrThrow();
  return Number(wh) as Wh;
}
