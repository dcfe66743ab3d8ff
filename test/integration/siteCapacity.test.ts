import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('starts without limits, three phases and no reserve; chargers at 32 A on all three phases in order', async () => {
    expect((await capacity('GET')).body).toEqual({ chargePointID: SITE, maxCurrentA: null, maxPowerW: null, phases: 3, reserveCurrentA: 0 });
    expect((await supply('GET')).body).toEqual({ connectorID: CHARGER, maxCurrentA: 32, phaseConnection: 'L1L2L3' });
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
    for (const body of [{}, { maxCurrentA: 5 }, { maxCurrentA: 1000 }, { phaseConnection: 'L4' }]) {
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
    expect(set.body).toEqual({ connectorID: CHARGER, maxCurrentA: 16, phaseConnection: 'L2' });
    expect((await supply('GET')).body).toEqual(set.body);
    expect((await supply('PUT', { phaseConnection: 'L3L1L2' })).body).toEqual({ connectorID: CHARGER, maxCurrentA: 16, phaseConnection: 'L3L1L2' });
  });
});
