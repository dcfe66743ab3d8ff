import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem } from '../support/testSystem.ts';

const SITES: Record<number, [number, number]> = {
  1: [57.749812214261034, 14.070100435207065],
  2: [57.777714, 14.16301],
  3: [57.652328901782795, 14.694810832097543],
  4: [57.70022044183724, 14.475150415104222],
};

describe('chargers API', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
    user = (await t.createUser()).token;
  });
  afterAll(() => t?.close());

  describe('public reads', () => {
    it('lists the ten seeded chargers with integer ids and coordinates of their own charge point', async () => {
      const { status, body } = await t.request('GET', '/chargers');
      expect(status).toBe(200);
      expect(body.map((c: any) => c.connectorID)).toEqual([...Array(10).keys()].map((i) => 100000 + i));
      expect(body.map((c: any) => c.serialNumber)).toEqual([
        'testchargeralwaysconnected', 'abc111', 'abc112', 'abc113', 'abc114', 'abc115', 'abc116', 'abc117', 'abc118', 'abc119',
      ]);
      for (const charger of body) {
        expect(Number.isInteger(charger.connectorID)).toBe(true);
        expect(Number.isInteger(charger.chargePointID)).toBe(true);
        expect(charger.status).toBe('Available');
        expect(charger.location).toEqual(SITES[charger.chargePointID]);
      }
      expect(body.find((c: any) => c.serialNumber === 'abc119').chargePointID).toBe(4);
    });

    it('every charger coordinate matches the charge point it belongs to', async () => {
      const chargers = (await t.request('GET', '/chargers')).body;
      const points = (await t.request('GET', '/chargePoints')).body;
      for (const charger of chargers) {
        const site = points.find((p: any) => p.chargePointID === charger.chargePointID);
        expect(charger.location).toEqual(site.location);
      }
    });

    it('gets a charger by connectorID and by serial number', async () => {
      const byId = await t.request('GET', '/chargers/100009');
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ connectorID: 100009, serialNumber: 'abc119', chargePointID: 4, status: 'Available', online: false, lastSeen: null });
      const bySerial = await t.request('GET', '/chargers/serial/abc119');
      expect(bySerial.status).toBe(200);
      expect(bySerial.body).toEqual(byId.body);
    });

    it('answers unknown chargers with 404 and a JSON body', async () => {
      for (const url of ['/chargers/123', '/chargers/serial/no-such-serial']) {
        const response = await t.request('GET', url);
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ status: 404, code: 'notFoundError' });
      }
    });

    it('rejects malformed ids and serial numbers with 400 and the original codes', async () => {
      const nonNumeric = await t.request('GET', '/chargers/abc');
      expect(nonNumeric.status).toBe(400);
      expect(nonNumeric.body.code).toBe('invalidconnectorID');
      const tooBig = await t.request('GET', '/chargers/99999999999');
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.code).toBe('invalidconnectorID');
      const longSerial = await t.request('GET', `/chargers/serial/${'x'.repeat(37)}`);
      expect(longSerial.status).toBe(400);
      expect(longSerial.body.code).toBe('invalidSerialNumber');
    });

    it('ignores a stale or garbage Authorization header on public reads', async () => {
      for (const url of ['/chargers', '/chargers/100001', '/chargers/available', '/chargePoints', '/chargePoints/1']) {
        const response = await t.request('GET', url, { headers: { authorization: 'Bearer expired.or.garbage' } });
        expect(response.status, url).toBe(200);
      }
    });
  });

  describe('admin writes', () => {
    it('requires a token (401) and the admin role (403)', async () => {
      const body = { chargePointID: 1, location: [57.7, 14.1], serialNumber: 'auth-check' };
      const anonymous = await t.request('POST', '/chargers', { body });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ status: 401, code: 'unauthorizedError' });
      const garbage = await t.request('POST', '/chargers', { body, token: 'not-a-jwt' });
      expect(garbage.status).toBe(401);
      const asUser = await t.request('POST', '/chargers', { body, token: user });
      expect(asUser.status).toBe(403);
      expect(asUser.body.code).toBe('forbiddenError');
      for (const [method, url] of [['PUT', '/chargers/100001'], ['DELETE', '/chargers/100001']] as const) {
        expect((await t.request(method, url, { body: method === 'PUT' ? { status: 'Faulted' } : undefined })).status).toBe(401);
        expect((await t.request(method, url, { token: user, body: method === 'PUT' ? { status: 'Faulted' } : undefined })).status).toBe(403);
      }
      expect((await t.request('GET', '/chargers/100001')).body.status).toBe('Available');
    });

    it('creates a charger with the next connectorID and status Available', async () => {
      const response = await t.request('POST', '/chargers', {
        token: admin, body: { chargePointID: 2, location: [57.7781, 14.1632], serialNumber: 'new-serial-1' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ serialNumber: 'new-serial-1', chargePointID: 2, location: [57.7781, 14.1632], status: 'Available' });
      expect(response.body.connectorID).toBeGreaterThanOrEqual(100010);
      expect((await t.request('GET', `/chargers/${response.body.connectorID}`)).body).toEqual(response.body);
    });

    it('gives concurrent creates distinct connectorIDs', async () => {
      const responses = await Promise.all([...Array(8).keys()].map((i) =>
        t.request('POST', '/chargers', { token: admin, body: { chargePointID: 3, location: [57.65, 14.69], serialNumber: `burst-${i}` } })));
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(new Set(responses.map((r) => r.body.connectorID)).size).toBe(8);
    });

    it.each([
      ['missing serial number', { chargePointID: 1, location: [57, 14] }, 'invalidSerialNumber'],
      ['empty serial number', { chargePointID: 1, location: [57, 14], serialNumber: '' }, 'invalidSerialNumber'],
      ['serial number over 36 characters', { chargePointID: 1, location: [57, 14], serialNumber: 'x'.repeat(37) }, 'invalidSerialNumber'],
      ['numeric serial number', { chargePointID: 1, location: [57, 14], serialNumber: 1234 }, 'invalidSerialNumber'],
      ['serial number with a colon (no OCPP identity can hold one)', { chargePointID: 1, location: [57, 14], serialNumber: 'a:b' }, 'invalidSerialNumber'],
      ['serial number with a control character', { chargePointID: 1, location: [57, 14], serialNumber: 'a\u0000b' }, 'invalidSerialNumber'],
      ['three coordinates', { chargePointID: 1, location: [57, 14, 3], serialNumber: 'v1' }, 'invalidCoordinates'],
      ['missing location', { chargePointID: 1, serialNumber: 'v2' }, 'invalidCoordinates'],
      ['latitude out of range', { chargePointID: 1, location: [100, 14], serialNumber: 'v3' }, 'invalidLatitude'],
      ['longitude out of range', { chargePointID: 1, location: [57, 200], serialNumber: 'v4' }, 'invalidLongitude'],
      ['string chargePointID', { chargePointID: '1', location: [57, 14], serialNumber: 'v5' }, 'invalidChargePointID'],
    ])('rejects %s with 400 %s', async (_case, body, code) => {
      const response = await t.request('POST', '/chargers', { token: admin, body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
      expect(response.body.errorCodes).toContain(code);
      expect(typeof response.body.message).toBe('string');
    });

    it('reports a duplicate serial as dbUniqueConstraintError and an unknown charge point as dbForeignKeyConstraintError', async () => {
      const duplicate = await t.request('POST', '/chargers', { token: admin, body: { chargePointID: 1, location: [57, 14], serialNumber: 'abc111' } });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.code).toBe('dbUniqueConstraintError');
      const unknownSite = await t.request('POST', '/chargers', { token: admin, body: { chargePointID: 999, location: [57, 14], serialNumber: 'orphan' } });
      expect(unknownSite.status).toBe(400);
      expect(unknownSite.body.code).toBe('dbForeignKeyConstraintError');
    });

    it('updates the status and other fields and returns the charger', async () => {
      const response = await t.request('PUT', '/chargers/100002', { token: admin, body: { status: 'Faulted' } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ connectorID: 100002, status: 'Faulted' });
      const moved = await t.request('PUT', '/chargers/100002', { token: admin, body: { status: 'Available', chargePointID: 2, location: SITES[2] } });
      expect(moved.body).toMatchObject({ status: 'Available', chargePointID: 2, location: SITES[2] });
      const available = (await t.request('GET', '/chargers/available')).body.map((c: any) => c.connectorID);
      expect(available).toContain(100002);
    });

    it('lists only Available chargers as available', async () => {
      await t.request('PUT', '/chargers/100003', { token: admin, body: { status: 'Charging' } });
      const available = await t.request('GET', '/chargers/available');
      expect(available.status).toBe(200);
      expect(available.body.every((c: any) => c.status === 'Available')).toBe(true);
      expect(available.body.map((c: any) => c.connectorID)).not.toContain(100003);
    });

    it('rejects an unknown status, an empty body and an unknown charger', async () => {
      const badStatus = await t.request('PUT', '/chargers/100001', { token: admin, body: { status: 'Occupied' } });
      expect(badStatus.status).toBe(400);
      expect(badStatus.body.code).toBe('invalidStatus');
      const empty = await t.request('PUT', '/chargers/100001', { token: admin, body: {} });
      expect(empty.status).toBe(400);
      const unknown = await t.request('PUT', '/chargers/123456', { token: admin, body: { status: 'Available' } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('notFoundError');
    });

    it('deletes a charger (204), then reports it gone (404)', async () => {
      const created = await t.request('POST', '/chargers', { token: admin, body: { chargePointID: 4, location: SITES[4], serialNumber: 'to-delete' } });
      const id = created.body.connectorID;
      const deleted = await t.request('DELETE', `/chargers/${id}`, { token: admin });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await t.request('GET', `/chargers/${id}`)).status).toBe(404);
      expect((await t.request('DELETE', `/chargers/${id}`, { token: admin })).status).toBe(404);
    });
  });
});
