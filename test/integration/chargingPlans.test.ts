import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('price-aware charging plans (/transaction/{id}/plan)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let driver: { id: number; token: string };
  let other: { id: number; token: string };
  let admin: string;
  let sitePriceOre: number;
  const balanced: number[] = [];
  const sims: ChargerSimulator[] = [];
  // The hours of the test's tariffs: two cheap ones among dear ones, from the current hour on.
  const hour0 = Math.floor(Date.now() / HOUR) * HOUR;
  const cheapHours = [hour0 + 3 * HOUR, hour0 + 5 * HOUR];
  const readyBy = hour0 + 8 * HOUR;
  const CHEAP = 10;
  const DEAR = 300;

  async function simulate(serial: string) {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${serial}`, meterValueIntervalMs: 1000 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
  }

  async function createSession(chargerId: number, token = driver.token) {
    const created = await t.request('POST', '/transaction', { token, body: { connectorID: chargerId } });
    expect(created.status).toBe(201);
    return created.body.transactionID as number;
  }

  const setPlan = (id: number | string, body: unknown, token = driver.token) => t.request('PUT', `/transaction/${id}/plan`, { token, body });

  beforeAll(async () => {
    t = await startTestSystem({ OCPP_START_TIMEOUT: '2', OCPP_CALL_TIMEOUT: '2' });
    const db = t.system.database.db;
    await db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002]).execute();
    driver = await t.createUser();
    other = await t.createUser();
    admin = await t.adminToken();
    t.system.bus.subscribe('balanceSite', (event) => balanced.push(event.chargePointId));
    const hours = Array.from({ length: 8 }, (_, i) => hour0 + i * HOUR);
    const tariffs = await t.request('PUT', '/tariffs', {
      token: admin, body: { tariffs: hours.map((hour) => ({ startsAt: iso(hour), pricePerKwhOre: cheapHours.includes(hour) ? CHEAP : DEAR })) },
    });
    expect(tariffs.status).toBe(200);
    // 25 A per phase less a 9 A reserve leaves the chargers of site 1 at most 16 A.
    expect((await t.request('PUT', '/chargePoints/1/capacity', { token: admin, body: { maxCurrentA: 25, reserveCurrentA: 9 } })).status).toBe(200);
    sitePriceOre = (await db.selectFrom('charge_points').select('price_per_kwh_ore').where('id', '=', 1).executeTakeFirstOrThrow()).price_per_kwh_ore;
    await simulate('abc111');
    await simulate('abc112');
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close().catch(() => undefined)));
    await t?.close();
  });

  it('plans a charging session into the cheapest hours at the site\'s current, shown with its session and in the dashboard', async () => {
    const id = await createSession(100001);
    expect((await t.request('PUT', `/transaction/start/${id}`, { token: driver.token })).body.status).toBe('Charging');
    expect((await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.chargingPlan).toBeNull();

    // 16 A on three phases at 230 V: 11040 W. One cheap hour in full, the other for 5000 Wh.
    const powerW = 16 * 3 * 230;
    const energyWh = powerW + 5000;
    const planned = await setPlan(id, { readyBy: iso(readyBy), energyWh });
    expect(planned.status, planned.text).toBe(200);
    const price = sitePriceOre + CHEAP;
    const expected = {
      readyBy: iso(readyBy),
      readyByTimestamp: readyBy / 1000,
      energyWh,
      plannedEnergyWh: energyWh,
      expectedCostOre: Math.round((energyWh * price) / 1000),
      currency: 'SEK',
      periods: [
        { startsAt: iso(cheapHours[0]!), endsAt: iso(cheapHours[0]! + HOUR), currentA: 16, energyWh: powerW, pricePerKwhOre: price },
        { startsAt: iso(cheapHours[1]!), endsAt: iso(cheapHours[1]! + Math.ceil((5000 / powerW) * 3600) * 1000), currentA: 16, energyWh: 5000, pricePerKwhOre: price },
      ],
    };
    expect(planned.body).toEqual(expected);
    expect(balanced).toContain(1);

    const session = await t.request('GET', `/transaction/${id}`, { token: driver.token });
    expect(session.body).toMatchObject({ transactionID: id, status: 'Charging', chargingPlan: expected });
    for (const key of ['transactionID', 'connectorID', 'currentChargePercentage', 'kwhTransferred', 'pricePerKWh', 'price', 'startTimestamp', 'discount']) {
      expect(Number.isInteger(session.body[key]), key).toBe(true);
    }
    expect((await t.request('GET', `/transaction/${id}`, { token: admin })).body.chargingPlan).toEqual(expected);
    expect((await t.request('GET', `/sessions/${id}`, { token: admin })).body.chargingPlan).toEqual(expected);

    // A new plan replaces it; readyBy may be epoch seconds.
    const again = await setPlan(id, { readyBy: readyBy / 1000, energyWh: 2000 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ readyBy: iso(readyBy), energyWh: 2000, plannedEnergyWh: 2000, periods: [{ startsAt: iso(cheapHours[0]!), energyWh: 2000 }] });
    expect((await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.chargingPlan).toEqual(again.body);

    balanced.length = 0;
    expect((await t.request('DELETE', `/transaction/${id}/plan`, { token: driver.token })).status).toBe(204);
    expect(balanced).toEqual([1]);
    expect((await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.chargingPlan).toBeNull();
    expect((await t.request('GET', `/sessions/${id}`, { token: admin })).body.chargingPlan).toBeNull();
    // Without a plan there is nothing for the balancer to undo.
    expect((await t.request('DELETE', `/transaction/${id}/plan`, { token: driver.token })).status).toBe(204);
    expect(balanced).toEqual([1]);

    expect((await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token })).body.status).toBe('Completed');
    const ended = await setPlan(id, { readyBy: iso(readyBy), energyWh: 1000 });
    expect(ended.status).toBe(409);
    expect(ended.body).toMatchObject({ status: 409, code: 'sessionNotPlannable' });
  });

  it('plans a single-phase charger\'s session at its one phase, and with too little time uses every hour', async () => {
    expect((await t.request('PUT', '/chargers/100002/supply', { token: admin, body: { phaseConnection: 'L2' } })).status).toBe(200);
    const id = await createSession(100002);
    // Not started yet: a session waiting for its start is planned too. 16 A on one phase: 3680 W.
    const planned = await setPlan(id, { readyBy: iso(readyBy), energyWh: 3680 + 1840 });
    expect(planned.status, planned.text).toBe(200);
    expect(planned.body.periods).toEqual([
      { startsAt: iso(cheapHours[0]!), endsAt: iso(cheapHours[0]! + HOUR), currentA: 16, energyWh: 3680, pricePerKwhOre: sitePriceOre + CHEAP },
      { startsAt: iso(cheapHours[1]!), endsAt: iso(cheapHours[1]! + HOUR / 2), currentA: 16, energyWh: 1840, pricePerKwhOre: sitePriceOre + CHEAP },
    ]);
    expect(planned.body.expectedCostOre).toBe(Math.round((5520 * (sitePriceOre + CHEAP)) / 1000));

    const soon = Math.floor(Date.now() / 1000) + 20 * 60;
    const short = await setPlan(id, { readyBy: soon, energyWh: 100_000 });
    expect(short.status, short.text).toBe(200);
    expect(short.body.periods).toHaveLength(1);
    expect(short.body.periods[0]).toMatchObject({ endsAt: iso(soon * 1000), currentA: 16 });
    // At most 20 minutes at 3680 W.
    expect(short.body.plannedEnergyWh).toBeGreaterThan(0);
    expect(short.body.plannedEnergyWh).toBeLessThanOrEqual(3680 / 3);
    expect(short.body.plannedEnergyWh).toBe(short.body.periods[0].energyWh);
    expect(short.body.expectedCostOre).toBe(Math.round((short.body.plannedEnergyWh * (sitePriceOre + DEAR)) / 1000));
  });

  it('refuses bad input, someone else\'s and unknown sessions, in the error envelope', async () => {
    const id = await createSession(100001);
    const now = Date.now();
    const cases: [unknown, string][] = [
      [{ readyBy: iso(now - 60_000), energyWh: 1000 }, 'invalidReadyBy'],
      [{ readyBy: Math.floor((now + 49 * HOUR) / 1000), energyWh: 1000 }, 'invalidReadyBy'],
      [{ readyBy: 'tomorrow', energyWh: 1000 }, 'invalidReadyBy'],
      [{ readyBy: iso(readyBy), energyWh: 0 }, 'invalidEnergy'],
      [{ readyBy: iso(readyBy), energyWh: 1.5 }, 'invalidEnergy'],
      [{ readyBy: iso(readyBy), energyWh: 200_001 }, 'invalidEnergy'],
      [{ readyBy: iso(readyBy) }, 'invalidEnergy'],
    ];
    for (const [body, code] of cases) {
      const refused = await setPlan(id, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body, JSON.stringify(body)).toEqual({ status: 400, code: expect.any(String), message: expect.any(String), errorCodes: expect.arrayContaining([code]) });
    }
    for (const refused of [await setPlan(id, { readyBy: iso(readyBy), energyWh: 1000 }, other.token), await setPlan(999_999, { readyBy: iso(readyBy), energyWh: 1000 })]) {
      expect(refused.status).toBe(404);
      expect(refused.body).toEqual({ status: 404, code: 'notFoundError', message: expect.any(String), errorCodes: ['notFoundError'] });
    }
    expect((await t.request('DELETE', `/transaction/${id}/plan`, { token: other.token })).status).toBe(404);
    expect((await setPlan('abc', { readyBy: iso(readyBy), energyWh: 1000 })).body.code).toBe('invalidTransactionID');
    expect((await t.request('PUT', `/transaction/${id}/plan`, { body: { readyBy: iso(readyBy), energyWh: 1000 } })).status).toBe(401);
    expect((await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.chargingPlan).toBeNull();
    // An admin may plan anyone's session.
    expect((await setPlan(id, { readyBy: iso(readyBy), energyWh: 1000 }, admin)).status).toBe(200);
  });
});
