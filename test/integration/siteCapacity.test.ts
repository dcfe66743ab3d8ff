import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvents } from '../../src/domain/bus.ts';
import { startTestSystem } from '../support/testSystem.ts';

/** A site's grid connection and each charger's supply: read, changed, and refused when they make no sense. */
describe('site capacity and charger supply', () => {
  const SITE = 2;
  const CHARGER = 100004;
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
  });

  const capacity = (method: 'GET' | 'PUT', body?: object, site = SITE, token = admin) => t.request(method, `/chargePoints/${site}/capacity`, { token, body });
  const supply = (method: 'GET' | 'PUT', body?: object, charger = CHARGER, token = admin) => t.request(method, `/chargers/${charger}/supply`, { token, body });

  /** The `balanceSite` events published while `action` runs. */
  async function balancingAsked(action: () => Promise<unknown>): Promise<BusEvents['balanceSite'][]> {
    const events: BusEvents['balanceSite'][] = [];
    const stop = t.system.bus.subscribe('balanceSite', (event) => events.push(event));
    try {
      await action();
    } finally {
      stop();
    }
    return events;
  }

  it('starts without limits, three phases and no reserve; chargers at 32 A on all three phases in order, priority 1, limits sent as TxProfile', async () => {
    expect((await capacity('GET')).body).toEqual({ chargePointID: SITE, maxCurrentA: null, maxPowerW: null, phases: 3, reserveCurrentA: 0 });
    expect((await supply('GET')).body).toEqual({
      connectorID: CHARGER, maxCurrentA: 32, phaseConnection: 'L1L2L3', priority: 1, profilePurpose: 'TxProfile', smartCharging: 'unknown',
    });
  });

  it('sets the limits and the reserve, and refuses a reserve that leaves the chargers less than one car\'s minimum', async () => {
    const set = await capacity('PUT', { maxCurrentA: 63, maxPowerW: 40_000, reserveCurrentA: 10 });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toEqual({ chargePointID: SITE, maxCurrentA: 63, maxPowerW: 40_000, phases: 3, reserveCurrentA: 10 });
    expect((await capacity('GET')).body).toEqual(set.body);

    const tooMuch = await capacity('PUT', { reserveCurrentA: 60 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errorCodes).toEqual(['invalidCapacity']);
    expect((await capacity('GET')).body.reserveCurrentA).toBe(10);

    // Without a current limit any reserve is possible; null removes a limit.
    const unlimited = await capacity('PUT', { maxCurrentA: null, reserveCurrentA: 60, phases: 1 });
    expect(unlimited.body).toEqual({ chargePointID: SITE, maxCurrentA: null, maxPowerW: 40_000, phases: 1, reserveCurrentA: 60 });
  });

  it('answers bad input with 400, an unknown site or charger with 404, and only admins', async () => {
    for (const body of [{}, { phases: 2 }, { maxCurrentA: 2 }, { maxPowerW: 'lots' }, { reserveCurrentA: -1 }]) {
      const answer = await capacity('PUT', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.errorCodes, JSON.stringify(body)).toContain('invalidCapacity');
    }
    for (const body of [{}, { maxCurrentA: 5 }, { maxCurrentA: 1000 }, { phaseConnection: 'L4' }, { priority: 0 }, { priority: 11 }, { priority: 2.5 }, { profilePurpose: 'ChargePointMaxProfile' }]) {
      const answer = await supply('PUT', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.errorCodes, JSON.stringify(body)).toContain('invalidSupply');
    }
    expect((await capacity('GET', undefined, 999)).status).toBe(404);
    expect((await supply('PUT', { maxCurrentA: 16 }, 999)).status).toBe(404);
    const user = await t.createUser();
    expect((await capacity('GET', undefined, SITE, user.token)).status).toBe(403);
    expect((await t.request('PUT', `/chargers/${CHARGER}/supply`, { body: { maxCurrentA: 16 } })).status).toBe(401);
  });

  it('sets a charger\'s maximum current and the phase it is wired to', async () => {
    const set = await supply('PUT', { maxCurrentA: 16, phaseConnection: 'L2' });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ connectorID: CHARGER, maxCurrentA: 16, phaseConnection: 'L2' });
    expect((await supply('GET')).body).toEqual(set.body);
    expect((await supply('PUT', { phaseConnection: 'L3L1L2' })).body).toMatchObject({ connectorID: CHARGER, maxCurrentA: 16, phaseConnection: 'L3L1L2' });
  });

  it('sets a charger\'s balancing priority and profile purpose; what it showed of smart charging is only read', async () => {
    const set = await supply('PUT', { priority: 7, profilePurpose: 'TxDefaultProfile' });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ connectorID: CHARGER, priority: 7, profilePurpose: 'TxDefaultProfile', smartCharging: 'unknown' });
    expect((await supply('GET')).body).toEqual(set.body);
    expect(await t.system.database.db.selectFrom('chargers').select(['balancing_priority', 'balancing_profile']).where('id', '=', CHARGER).executeTakeFirstOrThrow())
      .toEqual({ balancing_priority: 7, balancing_profile: 'TxDefaultProfile' });

    await t.system.database.db.updateTable('chargers').set({ smart_charging: 'unsupported' }).where('id', '=', CHARGER).execute();
    const tried = await supply('PUT', { priority: 3, smartCharging: 'supported' });
    expect(tried.body).toMatchObject({ priority: 3, profilePurpose: 'TxDefaultProfile', smartCharging: 'unsupported' });
  });

  it('has the site balanced again after its capacity or a charger\'s supply changed, and not after a refused change', async () => {
    expect(await balancingAsked(() => capacity('PUT', { maxCurrentA: 40, reserveCurrentA: 0 }))).toEqual([{ chargePointId: SITE }]);
    expect(await balancingAsked(() => supply('PUT', { priority: 2 }))).toEqual([{ chargePointId: SITE }]);
    const otherSite = await t.system.database.db.selectFrom('chargers').select('charge_point_id').where('id', '=', 100000).executeTakeFirstOrThrow();
    expect(await balancingAsked(() => supply('PUT', { maxCurrentA: 20 }, 100000))).toEqual([{ chargePointId: otherSite.charge_point_id }]);

    expect(await balancingAsked(() => capacity('PUT', { reserveCurrentA: 39 }))).toEqual([]);
    expect(await balancingAsked(() => supply('PUT', { priority: 0 }))).toEqual([]);
    // A charger at no site has no one to share with.
    const unplaced = await t.system.database.db.insertInto('chargers').values({ serial_number: 'unplaced-supply', charge_point_id: null }).returning('id').executeTakeFirstOrThrow();
    const answer = await supply('PUT', { priority: 4 }, unplaced.id);
    expect(answer.status, answer.text).toBe(200);
    expect(await balancingAsked(() => supply('PUT', { priority: 5 }, unplaced.id))).toEqual([]);
  });
});
