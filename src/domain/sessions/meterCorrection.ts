import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import { notFound } from '../errors.ts';

/**
 * An admin's correction of a session's energy or charge level (the charger's readings
 * stay as they were); flagged so the correction is visible.
 */
export async function correctMeter(db: Db, sessionId: number, correction: { energyWh?: number; socPercent?: number }): Promise<void> {
  const session = await db.selectFrom('charging_sessions').select('id').where('id', '=', sessionId).executeTakeFirst();
  if (!session) throw notFound(`Transaction ${sessionId}`);
  await db
    .updateTable('charging_sessions')
    .set((eb) => ({
      energy_wh: correction.energyWh,
      state_of_charge_percent: correction.socPercent,
      flags: sql<string[]>`array_append(${eb.ref('flags')}, 'manualMeterCorrection')`,
      updated_at: new Date(),
    }))
    .where('id', '=', sessionId)
    .execute();
}
