import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountFor } from '../../src/domain/sessions/price.ts';
import { CallError, ChargerSimulator, type SimulatorOptions } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';


describe('charging sessions from the app (/transaction)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let driver: { id: number; token: string };
  let other: { id: number; token: string };
  let admin: string;
  const sims: ChargerSimulator[] = [];

  async function simulate(serial: string, options: Partial<SimulatorOptions> = {}) {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${serial}`, meterValueIntervalMs: 20, powerW: 3_600_000, ...options });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    return sim;
  }

  beforeAll(async () => {
    t = await startTestSystem({ OCPP_START_TIMEOUT: '2', OCPP_CALL_TIMEOUT: '2' });
    await t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002, 100003, 100004, 100005]).execute();
    driver = await t.createUser();
    other = await t.createUser();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close().catch(() => undefined)));
    await t?.close();
  });

  async function expectPricedFromTariffs(transactionId: number) {
    const db = t.system.database.db;
    const session = await db.selectFrom('charging_sessions').selectAll().where('id', '=', transactionId).executeTakeFirstOrThrow();
    const lines = session.price_breakdown!;
    expect(lines.reduce((sum, line) => sum + line.energyWh, 0)).toBe(session.energy_wh);
    const site = await db.selectFrom('chargers').innerJoin('charge_points', 'charge_points.id', 'chargers.charge_point_id')
      .select('charge_points.price_per_kwh_ore').where('chargers.id', '=', session.charger_id!).executeTakeFirstOrThrow();
    for (const line of lines) {
      const tariff = await db.selectFrom('electricity_tariffs').select('price_per_kwh_ore').where('starts_at', '=', new Date(line.hour)).executeTakeFirstOrThrow();
      expect(line.pricePerKwhOre).toBe(site.price_per_kwh_ore + tariff.price_per_kwh_ore);
      expect(line.amountOre).toBe(amountFor(line.energyWh, line.pricePerKwhOre));
    }
    expect(session.price_ore).toBe(lines.reduce((sum, line) => sum + line.amountOre, 0));
    return session;
  }

  it('runs a whole session on a standard charger: create → start → live state → stop with energy and price', async () => {
    const sim = await simulate('abc111');
    const created = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100001, paymentType: 'klarna' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ klarnaClientToken: '', klarnaSessionID: '', transactionID: expect.any(Number) });
    const id = created.body.transactionID;
    expect(sim.connector(1).reservationId).toBeDefined();
    await until(async () => (await t.request('GET', '/chargers/100001')).body.status === 'Reserved');

    const started = await t.request('PUT', `/transaction/start/${id}`, { token: driver.token, body: { transactionID: id, authorization_token: 'tok' } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ transactionID: id, connectorID: 100001, userID: String(driver.id), status: 'Charging' });
    expect(Number.isInteger(started.body.startTimestamp)).toBe(true);
    expect(started.body.pricePerKWh).toBeGreaterThan(329);

    await until(async () => (await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.kwhTransferred >= 1);
    const live = (await t.request('GET', `/transaction/${id}`, { token: driver.token })).body;
    for (const key of ['transactionID', 'connectorID', 'currentChargePercentage', 'kwhTransferred', 'pricePerKWh', 'price', 'startTimestamp', 'discount']) {
      expect(Number.isInteger(live[key]), key).toBe(true);
    }
    expect(live.endTimestamp).toBeUndefined();

    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'Completed', paymentStatus: 'Invoiced' });
    expect(Number.isInteger(stopped.body.endTimestamp)).toBe(true);
    const session = await expectPricedFromTariffs(id);
    expect(session.energy_wh).toBe(session.meter_stop_wh! - session.meter_start_wh!);
    expect(session.energy_wh).toBeGreaterThan(0);
    expect(stopped.body.price).toBe(session.price_ore);
    await until(async () => (await t.request('GET', '/chargers/100001')).body.status === 'Available');
  });

  it('runs a whole session on a FlexiCharge charger (server-side reservation, idTag 1, transactionId 1 mapped)', async () => {
    const sim = await simulate('abc119', { dialect: 'flexicharge' });
    const created = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100009, paymentType: 'klarna' } });
    expect(created.status).toBe(201);
    const id = created.body.transactionID;
    expect(sim.received.some((frame) => frame[2] === 'ReserveNow')).toBe(false);
    const started = await t.request('PUT', `/transaction/start/${id}`, { token: driver.token });
    expect(started.status).toBe(200);
    expect(started.body.status).toBe('Charging');
    await until(async () => (await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.energyWh > 500);
    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('Completed');
    const session = await expectPricedFromTariffs(id);
    expect(session.flags).toContain('reconciledTransactionId');
  });

  it('lets only the owner or an admin see and act on a session', async () => {
    await simulate('abc112');
    const id = (await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100002 } })).body.transactionID;
    expect((await t.request('GET', `/transaction/${id}`)).status).toBe(401);
    expect((await t.request('GET', `/transaction/${id}`, { token: other.token })).status).toBe(404);
    expect((await t.request('PUT', `/transaction/start/${id}`, { token: other.token })).status).toBe(404);
    expect((await t.request('PUT', `/transaction/stop/${id}`, { token: other.token })).status).toBe(404);
    expect((await t.request('GET', `/transaction/${id}`, { token: admin })).status).toBe(200);
    expect((await t.request('GET', `/transaction/userTransactions/${driver.id}`, { token: other.token })).status).toBe(403);
    const own = await t.request('GET', `/transaction/userTransactions/${driver.id}`, { token: driver.token });
    expect(own.body.map((s: any) => s.transactionID)).toContain(id);
    expect((await t.request('GET', `/transaction/userTransactions/${driver.id}`, { token: admin })).body.length).toBe(own.body.length);
    expect((await t.request('GET', '/transaction/chargerTransactions/100002', { token: other.token })).body).toEqual([]);
    expect((await t.request('GET', '/transaction/chargerTransactions/100002', { token: admin })).body.map((s: any) => s.transactionID)).toContain(id);
    // Stopping a session that never started cancels it and frees the charger.
    const cancelled = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(cancelled.body.status).toBe('Cancelled');
    expect((await t.request('POST', '/transaction', { token: other.token, body: { connectorID: 100002 } })).status).toBe(201);
  });

  it('refuses offline, unavailable and unknown chargers, and others while reserved', async () => {
    expect((await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100006 } })).body.code).toBe('chargerOffline');
    expect((await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 123 } })).status).toBe(404);
    const sim = await simulate('abc113');
    await sim.statusNotification(1, 'Faulted', 'GroundFailure');
    const faulted = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100003 } });
    expect(faulted.status).toBe(409);
    expect(faulted.body.code).toBe('chargerNotAvailable');
    expect((await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 'x' } })).status).toBe(400);
  });

  it('answers 409 when the charger refuses the reservation, and carries on when it does not implement reservations', async () => {
    await simulate('abc114', { behaviour: { ReserveNow: 'reject' } });
    const refused = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100004 } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('couldNotReserveCharger');
    await simulate('abc115', { behaviour: { ReserveNow: () => { throw new CallError('NotImplemented', 'no reservations here'); } } });
    const created = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100005 } });
    expect(created.status).toBe(201);
    expect((await t.request('PUT', `/transaction/start/${created.body.transactionID}`, { token: driver.token })).body.status).toBe('Charging');
    expect((await t.request('PUT', `/transaction/stop/${created.body.transactionID}`, { token: driver.token })).body.status).toBe('Completed');
  });

  it('fails a start the charger accepts but never begins, with a clear error and clean state', async () => {
    const sim = await simulate('abc116', { behaviour: { RemoteStartTransaction: 'accept' } });
    await t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100006).execute();
    const id = (await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100006 } })).body.transactionID;
    const start = await t.request('PUT', `/transaction/start/${id}`, { token: driver.token });
    expect(start.status).toBe(504);
    expect(start.body.code).toBe('chargerTimeout');
    expect((await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.status).toBe('Failed');
    const reservation = await t.system.database.db.selectFrom('reservations').select('status').where('charger_id', '=', 100006).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(reservation.status).toBe('Cancelled');
    expect(sim.connector(1).reservationId).toBeUndefined();
    expect((await t.request('PUT', `/transaction/start/${id}`, { token: driver.token })).status).toBe(409);
  });
});
