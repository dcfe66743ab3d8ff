import { expect } from 'vitest';
import type { Db } from '../../src/db/connection.ts';
import type { ReportedSession } from './queueingCharger.ts';

/** Samples per MeterValues the queueing charger sends. */
const SAMPLES_PER_READING = 4;

/**
 * What a charger reported is in the database exactly once: one session per start (with
 * the transactionId it was given, its meters and energy), every sample of every reading
 * once, and nothing else on that charger.
 */
export async function expectStoredExactlyOnce(db: Db, chargerId: number, reported: ReportedSession[]): Promise<void> {
  const sessions = await db.selectFrom('charging_sessions').selectAll().where('charger_id', '=', chargerId).orderBy('id').execute();
  expect(sessions.map((session) => session.started_at?.toISOString())).toEqual(reported.map((session) => new Date(session.startedAt).toISOString()));
  for (const [index, expected] of reported.entries()) {
    const stored = sessions[index]!;
    expect(stored, `session ${index + 1} of charger ${chargerId}`).toMatchObject({
      id: expected.transactionId,
      status: 'Completed',
      meter_start_wh: expected.meterStart,
      meter_stop_wh: expected.meterStop,
      energy_wh: expected.meterStop! - expected.meterStart,
      stopped_at: new Date(expected.stoppedAt!),
    });
    const samples = await db.selectFrom('meter_values').select(['sampled_at', 'measurand', 'value']).where('session_id', '=', stored.id).execute();
    expect(samples, `samples of session ${stored.id}`).toHaveLength(expected.meterValues.length * SAMPLES_PER_READING);
    const registers = samples.filter((sample) => sample.measurand === 'Energy.Active.Import.Register')
      .map((sample) => [sample.sampled_at.toISOString(), sample.value])
      .sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(registers).toEqual(expected.meterValues.map((reading) => [new Date(reading.timestamp).toISOString(), reading.registerWh]));
  }
}
