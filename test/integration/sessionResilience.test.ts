import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';


const register = (wh: number, at: Date) => ({
  timestamp: at.toISOString(),
  sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
});

describe('sessions through outages and restarts', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let driver: { id: number; token: string };
  const db = () => t.system.database.db;
  const session = (id: number) => db().selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestSystem();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002, 100003]).execute();
    driver = await t.createUser();
    await db().insertInto('id_tags').values({ id_tag: 'CARD-0042', user_id: driver.id }).execute();
  });
  afterAll(() => t?.close());

  it('records an RFID session for the card owner, priced and settled when the charger stops it', async () => {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc111`, meterValueIntervalMs: 20, powerW: 3_600_000 });
    await sim.connect();
    await sim.boot();
    const { transactionId } = await sim.startLocalSession(1, 'CARD-0042');
    await until(async () => (t.system.summaries.live(transactionId)?.energyWh ?? 0) > 100);
    const listed = await t.request('GET', `/transaction/userTransactions/${driver.id}`, { token: driver.token });
    expect(listed.body.map((s: any) => [s.transactionID, s.status])).toContainEqual([transactionId, 'Charging']);
    expect(listed.body.find((s: any) => s.transactionID === transactionId).pricePerKWh).toBeGreaterThan(399);
    await sim.stopSession(1, 'Local');
    // Priced first, then settled: wait for the settled payment.
    await until(async () => (await db().selectFrom('payments').select('status').where('session_id', '=', transactionId).executeTakeFirst())?.status === 'Invoiced');
    const done = await session(transactionId);
    expect(done).toMatchObject({ status: 'Completed', user_id: driver.id, stop_reason: 'Local' });
    expect(done.price_ore).toBeGreaterThan(0);
    const payment = await db().selectFrom('payments').selectAll().where('session_id', '=', transactionId).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ provider: 'invoice', status: 'Invoiced' });
    await sim.close();
  });

  it('keeps a session open while its charger is offline and completes it from the messages it queued', async () => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc112`);
    const startedAt = new Date(Date.now() - 60 * 60_000);
    const start = await charger.call('StartTransaction', { connectorId: 1, idTag: 'CARD-0042', meterStart: 1000, timestamp: startedAt.toISOString() });
    const id = start[2].transactionId;
    await charger.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    charger.socket.terminate();
    await until(async () => (await t.request('GET', '/chargers/100002')).body.status === 'Unavailable');
    expect((await session(id)).status).toBe('Charging');
    expect((await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.status).toBe('Charging');

    // Back online, the charger replays what it queued, the start among it, then stops.
    const back = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc112`);
    const replayed = await back.call('StartTransaction', { connectorId: 1, idTag: 'CARD-0042', meterStart: 1000, timestamp: startedAt.toISOString() });
    expect(replayed[2].transactionId).toBe(id);
    await back.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [register(5000, new Date(startedAt.getTime() + 30 * 60_000))] });
    const stopped = await back.call('StopTransaction', { transactionId: id, meterStop: 9000, timestamp: new Date(startedAt.getTime() + 50 * 60_000).toISOString(), reason: 'PowerLoss' });
    expect(stopped[0]).toBe(3);
    await back.call('StopTransaction', { transactionId: id, meterStop: 9000, timestamp: new Date(startedAt.getTime() + 50 * 60_000).toISOString(), reason: 'PowerLoss' });
    await until(async () => (await session(id)).price_ore !== null);
    const done = await session(id);
    expect(done).toMatchObject({ status: 'Completed', energy_wh: 8000, stop_reason: 'PowerLoss' });
    expect(done.flags).toContain('lateReport');
    expect(done.price_breakdown!.reduce((sum, line) => sum + line.energyWh, 0)).toBe(8000);
    const sessions = await db().selectFrom('charging_sessions').select('id').where('charger_id', '=', 100002).execute();
    expect(sessions).toHaveLength(1);
    await back.close();
  });

  it('loses nothing when the server restarts in the middle of an app session', async () => {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc113`, meterValueIntervalMs: 0, powerW: 11_000 });
    await sim.connect();
    await sim.boot();
    const id = (await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100003 } })).body.transactionID;
    expect((await t.request('PUT', `/transaction/start/${id}`, { token: driver.token })).body.status).toBe('Charging');
    const meterStart = (await session(id)).meter_start_wh!;

    await t.restart();
    await sim.close().catch(() => undefined);
    expect((await session(id)).status).toBe('Charging');

    // The charger reconnects to the new server process (no new BootNotification needed).
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc113`);
    await until(async () => t.system.gateway.isConnected(100003));
    const stopping = t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    const stopCall = await charger.nextCall('RemoteStopTransaction');
    expect(stopCall[3]).toEqual({ transactionId: id });
    charger.send([3, stopCall[1], { status: 'Accepted' }]);
    await charger.call('StopTransaction', { transactionId: id, meterStop: meterStart + 4321, timestamp: new Date().toISOString(), reason: 'Remote' });
    const stopped = await stopping;
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'Completed', energyWh: 4321 });
    expect(stopped.body.price).toBe((await session(id)).price_ore);
    await charger.close();
  });
});
