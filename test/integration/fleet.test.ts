import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFTER_BOOT_ANSWERS, BOOT, RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const CHARGER = 100002;
const SERIAL = 'abc112';
const ID_TAG = 'FLEET-CARD-1';

describe('GET /fleet and GET /fleet/chargers/{id}', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let charger: RawCharger | undefined;
  const db = () => t.system.database.db;

  beforeAll(async () => {
    // Every reading's summary is stored at once, so the fleet shows the session's energy as it is.
    t = await startTestSystem({ LIVEMETRICS_DB_UPDATE_INTERVAL: '0' });
    admin = await t.adminToken();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', CHARGER).execute();
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: ID_TAG } })).status).toBe(201);
  });
  afterAll(async () => {
    await charger?.close().catch(() => undefined);
    await t?.close();
  });

  const fleetCharger = async (id: number) => {
    const { body } = await t.request('GET', '/fleet', { token: admin });
    return [...body.chargePoints.flatMap((point: any) => point.chargers), ...body.unplaced].find((c: any) => c.id === id);
  };

  it('lists every charge point with its chargers, and the chargers at none as unplaced', async () => {
    await db().insertInto('chargers').values({ serial_number: 'fleet-unplaced-1', charge_point_id: null, registration_status: 'Pending' }).execute();
    const response = await t.request('GET', '/fleet', { token: admin });
    expect(response.status).toBe(200);
    const points = await db().selectFrom('charge_points').select(['id', 'name']).orderBy('id').execute();
    expect(response.body.chargePoints.map((point: any) => ({ id: point.id, name: point.name }))).toEqual(points);
    const placed = await db().selectFrom('chargers').select(['id', 'charge_point_id']).where('charge_point_id', 'is not', null).orderBy('id').execute();
    for (const point of response.body.chargePoints) {
      expect(point.chargers.map((c: any) => c.id)).toEqual(placed.filter((row) => row.charge_point_id === point.id).map((row) => row.id));
    }
    expect(response.body.unplaced).toEqual([expect.objectContaining({
      serialNumber: 'fleet-unplaced-1', chargePointId: null, registrationStatus: 'Pending', online: false, lastSeenAt: null, sessions: [], connectors: [], powerW: null,
    })]);
  });

  it('shows a connected charger online, its connectors\' status and its running session with energy and power', async () => {
    charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/${SERIAL}`, { answers: AFTER_BOOT_ANSWERS });
    expect((await charger.call('BootNotification', { ...BOOT, firmwareVersion: '2.1.0' }))[0]).toBe(3);
    await until(async () => (await fleetCharger(CHARGER))?.online === true);
    const statusAt = '2026-01-02T03:04:05.000Z';
    expect((await charger.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: statusAt }))[0]).toBe(3);
    const started = await charger.call('StartTransaction', { connectorId: 1, idTag: ID_TAG, meterStart: 50_000, timestamp: new Date().toISOString() });
    expect(started[2].idTagInfo.status).toBe('Accepted');
    const sessionId = started[2].transactionId;
    expect((await charger.call('MeterValues', {
      connectorId: 1, transactionId: sessionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [
        { value: '51234', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
      ] }],
    }))[0]).toBe(3);

    await until(async () => (await fleetCharger(CHARGER))?.sessions[0]?.energyWh === 1234);
    const shown = await fleetCharger(CHARGER);
    expect(shown).toMatchObject({
      id: CHARGER, serialNumber: SERIAL, chargePointId: 1, online: true, registrationStatus: 'Accepted', dialect: 'ocpp1.6',
      vendor: BOOT.chargePointVendor, model: BOOT.chargePointModel, firmwareVersion: '2.1.0', powerW: 7400,
      sessions: [{ sessionId, connectorId: 1, energyWh: 1234, powerW: 7400, startedAt: expect.any(String) }],
    });
    expect(shown.connectors).toContainEqual({ connectorId: 1, status: 'Preparing', errorCode: 'NoError', statusAt });
    expect(Date.parse(shown.lastSeenAt)).not.toBeNaN();

    const one = await t.request('GET', `/fleet/chargers/${CHARGER}`, { token: admin });
    expect(one.status).toBe(200);
    const { name } = await db().selectFrom('charge_points').select('name').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(one.body).toEqual({ ...shown, chargePointName: name });

    expect((await charger.call('StopTransaction', { transactionId: sessionId, meterStop: 52_000, timestamp: new Date().toISOString(), reason: 'Local' }))[0]).toBe(3);
    await until(async () => (await fleetCharger(CHARGER))?.sessions.length === 0);
    expect((await fleetCharger(CHARGER)).powerW).toBeNull();
  });

  it('shows a charger at no charge point with a null chargePointName; 404 for an unknown one, 400 for a bad id', async () => {
    const { id } = await db().selectFrom('chargers').select('id').where('serial_number', '=', 'fleet-unplaced-1').executeTakeFirstOrThrow();
    const unplaced = await t.request('GET', `/fleet/chargers/${id}`, { token: admin });
    expect(unplaced.body).toMatchObject({ id, chargePointId: null, chargePointName: null });
    const unknown = await t.request('GET', '/fleet/chargers/999999', { token: admin });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('notFoundError');
    const bad = await t.request('GET', '/fleet/chargers/abc', { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCodes).toContain('invalidconnectorID');
  });

  it('is for admins only', async () => {
    const user = await t.createUser();
    expect((await t.request('GET', '/fleet')).status).toBe(401);
    expect((await t.request('GET', '/fleet', { token: user.token })).status).toBe(403);
    expect((await t.request('GET', `/fleet/chargers/${CHARGER}`, { token: user.token })).status).toBe(403);
  });
});
