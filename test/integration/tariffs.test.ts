import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const HOUR = 3_600_000;

describe('electricity tariffs and hourly pricing', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  it('lists the prices around now publicly', async () => {
    const response = await t.request('GET', '/tariffs');
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(48);
    for (const tariff of response.body) expect(Number.isInteger(tariff.pricePerKwhOre)).toBe(true);
  });

  it('sets a range, single hours and imports CSV (admin only)', async () => {
    const range = { from: '2030-01-01T00:00:00Z', to: '2030-01-01T06:00:00Z', pricePerKwhOre: 42 };
    expect((await t.request('PUT', '/tariffs', { body: range })).status).toBe(401);
    expect((await t.request('PUT', '/tariffs', { token: admin, body: range })).body).toEqual({ count: 6 });
    const hours = await t.request('PUT', '/tariffs', { token: admin, body: { tariffs: [{ startsAt: '2030-01-01T02:00:00Z', pricePerKwhOre: 99 }] } });
    expect(hours.body).toEqual({ count: 1 });
    const notAnHour = await t.request('PUT', '/tariffs', { token: admin, body: { tariffs: [{ startsAt: '2030-01-01T02:30:00Z', pricePerKwhOre: 1 }] } });
    expect(notAnHour.body.code).toBe('invalidTimestamp');

    const csv = 'start;price_sek_per_kwh\n2030-01-01T04:00:00Z;0,8734\n2030-01-01T05:00:00Z;1,005\n';
    const imported = await t.request('POST', '/tariffs/import', { token: admin, rawBody: csv, headers: { 'content-type': 'text/csv' } });
    expect(imported.body).toEqual({ count: 2 });
    const ore = await t.request('POST', '/tariffs/import', { token: admin, rawBody: 'start,price_ore\n2030-01-01T06:00:00Z,150\n', headers: { 'content-type': 'text/csv' } });
    expect(ore.body).toEqual({ count: 1 });
    const bad = await t.request('POST', '/tariffs/import', { token: admin, rawBody: 'start,price_ore\nyesterday,cheap\n', headers: { 'content-type': 'text/csv' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalidCsv');

    const listed = await t.request('GET', '/tariffs?from=2030-01-01T00:00:00Z&to=2030-01-01T07:00:00Z');
    expect(listed.body.map((tariff: any) => tariff.pricePerKwhOre)).toEqual([42, 42, 99, 42, 87, 101, 150]);
    expect((await t.request('DELETE', '/tariffs?from=2030-01-01T00:00:00Z&to=2030-01-01T03:00:00Z', { token: admin })).body).toEqual({ count: 3 });
  });

  it('prices a session across an hour boundary hour by hour, with the charge point price alone where no tariff is set', async () => {
    const hour0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const hour1 = hour0 + HOUR;
    await t.request('PUT', '/tariffs', { token: admin, body: { tariffs: [{ startsAt: new Date(hour0).toISOString(), pricePerKwhOre: 100 }] } });
    await t.request('DELETE', `/tariffs?from=${new Date(hour1).toISOString()}&to=${new Date(hour1 + HOUR).toISOString()}`, { token: admin });
    await t.system.database.db.insertInto('id_tags').values({ id_tag: 'HOURLY-1' }).execute();

    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`);
    const at = (ms: number) => new Date(ms).toISOString();
    const start = await charger.call('StartTransaction', { connectorId: 1, idTag: 'HOURLY-1', meterStart: 0, timestamp: at(hour0 + HOUR / 2) });
    const id = start[2].transactionId;
    await charger.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [{ timestamp: at(hour1), sampledValue: [{ value: '5000' }] }] });
    await charger.call('StopTransaction', { transactionId: id, meterStop: 8000, timestamp: at(hour1 + HOUR / 2) });
    await until(async () => (await t.system.database.db.selectFrom('charging_sessions').select('price_ore').where('id', '=', id).executeTakeFirstOrThrow()).price_ore !== null);
    const session = await t.system.database.db.selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(session.price_breakdown).toEqual([
      { hour: at(hour0), energyWh: 5000, pricePerKwhOre: 399 + 100, amountOre: 2495 },
      { hour: at(hour1), energyWh: 3000, pricePerKwhOre: 399, amountOre: 1197 },
    ]);
    expect(session.price_ore).toBe(3692);
    await charger.close();
  });

  it("adds the charge point's fee per session as a line of its own", async () => {
    const site = await t.request('PUT', '/chargePoints/2', { token: admin, body: { sessionFee: 500 } });
    expect(site.body.sessionFee).toBe(500);
    await t.system.database.db.insertInto('id_tags').values({ id_tag: 'FEE-1' }).execute();
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc114`);
    const start = await charger.call('StartTransaction', { connectorId: 1, idTag: 'FEE-1', meterStart: 0, timestamp: new Date().toISOString() });
    const id = start[2].transactionId;
    await charger.call('StopTransaction', { transactionId: id, meterStop: 1000, timestamp: new Date().toISOString() });
    await until(async () => (await t.system.database.db.selectFrom('charging_sessions').select('price_ore').where('id', '=', id).executeTakeFirstOrThrow()).price_ore !== null);
    const session = await t.system.database.db.selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const fee = session.price_breakdown!.find((line) => line.kind === 'fee');
    expect(fee).toMatchObject({ amountOre: 500, energyWh: 0 });
    const energy = session.price_breakdown!.filter((line) => line.kind !== 'fee').reduce((sum, line) => sum + line.amountOre, 0);
    expect(session.price_ore).toBe(energy + 500);
    await charger.close();
  });
});
