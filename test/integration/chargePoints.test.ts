import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem } from '../support/testSystem.ts';

describe('charge points API', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
    user = (await t.createUser()).token;
  });
  afterAll(() => t?.close());

  it('lists the four seeded sites with integer prices in öre', async () => {
    const { status, body } = await t.request('GET', '/chargePoints');
    expect(status).toBe(200);
    expect(body.map((p: any) => [p.chargePointID, p.name, p.address])).toEqual([
      [1, 'Airport Parking, Jönköping', 'Flygplansvägen'],
      [2, 'Jönköping University', 'Gjuterigatan 5'],
      [3, 'Nässjö Centralstation', 'Järnvägsgatan 26'],
      [4, 'Coop, Forserum', 'Jönköpingsvägen 2'],
    ]);
    for (const site of body) {
      expect(Number.isInteger(site.price)).toBe(true);
      expect(site.price).toBeGreaterThan(0);
      expect(Number.isInteger(site.klarnaReservationAmount)).toBe(true);
      expect(site.location).toHaveLength(2);
    }
  });

  it('gets one site, 404 for an unknown one, 400 for a malformed id', async () => {
    const one = await t.request('GET', '/chargePoints/2');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ chargePointID: 2, name: 'Jönköping University', location: [57.777714, 14.16301] });
    const unknown = await t.request('GET', '/chargePoints/77');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('notFoundError');
    const malformed = await t.request('GET', '/chargePoints/x1');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalidChargePointID');
  });

  it('requires an admin for writes', async () => {
    const body = { name: 'Nope', location: [57, 14] };
    expect((await t.request('POST', '/chargePoints', { body })).status).toBe(401);
    expect((await t.request('POST', '/chargePoints', { body, token: user })).status).toBe(403);
    expect((await t.request('PUT', '/chargePoints/1', { body, token: user })).status).toBe(403);
    expect((await t.request('DELETE', '/chargePoints/1', { token: user })).status).toBe(403);
    expect((await t.request('DELETE', '/chargePoints/1')).status).toBe(401);
  });

  it('creates a site from the admin GUI body (no address) with 201 and the new object', async () => {
    const response = await t.request('POST', '/chargePoints', {
      token: admin, body: { name: 'Västra Torget', location: [57.78, 14.15], klarnaReservationAmount: 50000, price: 0 },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'Västra Torget', address: '', location: [57.78, 14.15], price: 0, klarnaReservationAmount: 50000 });
    expect(Number.isInteger(response.body.chargePointID)).toBe(true);
    expect((await t.request('GET', `/chargePoints/${response.body.chargePointID}`)).body).toEqual(response.body);
  });

  it.each([
    ['missing name', { location: [57, 14] }, 'invalidName'],
    ['empty name', { name: '', location: [57, 14] }, 'invalidName'],
    ['missing location', { name: 'A' }, 'invalidcoordinates'],
    ['latitude out of range', { name: 'B', location: [-91, 14] }, 'invalidLatitude'],
    ['fractional price', { name: 'C', location: [57, 14], price: 3.5 }, 'invalidPrice'],
    ['negative price', { name: 'D', location: [57, 14], price: -1 }, 'invalidPrice'],
    ['numeric address', { name: 'E', location: [57, 14], address: 5 }, 'invalidAddress'],
  ])('rejects %s with 400 %s', async (_case, body, code) => {
    const response = await t.request('POST', '/chargePoints', { token: admin, body });
    expect(response.status).toBe(400);
    expect(response.body.errorCodes).toContain(code);
  });

  it('reports a taken name as dbUniqueConstraintError', async () => {
    const response = await t.request('POST', '/chargePoints', { token: admin, body: { name: 'Jönköping University', location: [57, 14] } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('dbUniqueConstraintError');
    expect(response.body.message).toMatch(/name/);
  });

  it('updates with {name, location, price} and answers 200 with the updated object', async () => {
    const created = (await t.request('POST', '/chargePoints', { token: admin, body: { name: 'Old name', address: 'Storgatan 1', location: [57.1, 14.1] } })).body;
    const response = await t.request('PUT', `/chargePoints/${created.chargePointID}`, {
      token: admin, body: { name: 'New name', location: [57.2, 14.2], price: 425 },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...created, name: 'New name', location: [57.2, 14.2], price: 425 });
    const reservation = await t.request('PUT', `/chargePoints/${created.chargePointID}`, { token: admin, body: { klarnaReservationAmount: 20000 } });
    expect(reservation.body).toMatchObject({ name: 'New name', klarnaReservationAmount: 20000, address: 'Storgatan 1' });
  });

  it('answers 404 when updating an unknown site and 400 for an empty update', async () => {
    expect((await t.request('PUT', '/chargePoints/5000', { token: admin, body: { name: 'X' } })).status).toBe(404);
    expect((await t.request('PUT', '/chargePoints/1', { token: admin, body: {} })).status).toBe(400);
  });

  it('deletes a site with its chargers (204), and an empty list is 200 []', async () => {
    const site = (await t.request('POST', '/chargePoints', { token: admin, body: { name: 'Temporary', location: [57.5, 14.5] } })).body;
    const charger = (await t.request('POST', '/chargers', { token: admin, body: { chargePointID: site.chargePointID, location: [57.5, 14.5], serialNumber: 'temp-1' } })).body;
    const deleted = await t.request('DELETE', `/chargePoints/${site.chargePointID}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect((await t.request('GET', `/chargers/${charger.connectorID}`)).status).toBe(404);
    expect((await t.request('DELETE', `/chargePoints/${site.chargePointID}`, { token: admin })).status).toBe(404);

    for (const remaining of (await t.request('GET', '/chargePoints')).body) {
      expect((await t.request('DELETE', `/chargePoints/${remaining.chargePointID}`, { token: admin })).status).toBe(204);
    }
    const empty = await t.request('GET', '/chargePoints');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);
    const noChargers = await t.request('GET', '/chargers');
    expect(noChargers.status).toBe(200);
    expect(noChargers.body).toEqual([]);
  });
});
