import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz, type FuzzReport } from '../support/fuzzDriver.ts';
import { BOOT, RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const SEED = 20_260_101;
const FRAMES = 3000;
/** abc114 stays as seeded, a FlexiCharge charger; the others are standard chargers. */
const IDENTITIES = ['abc111', 'abc112', 'abc113', 'abc114'];

describe('the OCPP endpoint under fuzzing', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let report: FuzzReport;
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002, 100003]).execute();
    report = await runFuzz({
      ocppUrl: t.system.ocppUrl, identities: IDENTITIES, frames: FRAMES, seed: SEED, concurrency: IDENTITIES.length,
      answerTimeoutMs: 10_000, legacyAnswers: ['abc114'],
    });
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  // The report's samples name the frame kind, so a failure says which mutation broke the server.
  it('sent every frame and got an answer to every CALL', () => {
    expect(report.sent).toBeGreaterThanOrEqual(FRAMES);
    expect(report.unanswered).toEqual({ count: 0, first: [] });
    expect(report.answered).toBe(report.calls);
    expect(report.strays.unknown).toEqual({ count: 0, first: [] });
  });

  it('never answered InternalError', () => {
    expect(report.internalErrors).toEqual({ count: 0, first: [] });
  });

  it('answered every transaction message with a CALLRESULT', () => {
    expect(report.transactionCallErrors).toEqual({ count: 0, first: [] });
  });

  it('stored every fact it answered for (the database refused none) and priced every finished session', async () => {
    expect(t.system.ingest.status()).toMatchObject({ mode: 'direct', backlog: 0, rejected: 0 });
    const unpriced = () => db().selectFrom('charging_sessions').select('id').where('status', '=', 'Completed').where('price_ore', 'is', null).execute();
    await until(async () => (await unpriced()).length === 0);
  });

  it('never closed a charger connection', () => {
    expect(report.closeDetails).toEqual([]);
    expect(report.closes).toBe(0);
  });

  it('still serves chargers and the HTTP API afterwards', async () => {
    const peer = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`);
    try {
      expect((await peer.call('BootNotification', BOOT))[2]).toMatchObject({ status: 'Accepted' });
      expect((await peer.call('Heartbeat', {}))[0]).toBe(3);
      const start = await peer.call('StartTransaction', { connectorId: 1, idTag: 'AFTERFUZZ', meterStart: 1000, timestamp: new Date().toISOString() });
      expect(start[0]).toBe(3);
      expect(Number.isInteger(start[2].transactionId)).toBe(true);
      const stop = await peer.call('StopTransaction', { transactionId: start[2].transactionId, meterStop: 2000, timestamp: new Date().toISOString() });
      expect(stop[0]).toBe(3);
    } finally {
      await peer.close();
    }
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});
