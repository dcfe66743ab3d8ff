import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { BOOT, RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

/** A standard charger with two connectors: listed, its history paged, taken out of service and back, and charging on both at once. */
describe('connectors and availability', () => {
  const CHARGER = 100002;
  const OFFLINE = 100003;
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  let carol: { id: number; token: string };
  let sim: ChargerSimulator;
  const db = () => t.system.database.db;

  const connectors = async () => (await t.request('GET', `/chargers/${CHARGER}/connectors`)).body as any[];
  const statusOf = async (connectorId: number) => (await connectors()).find((c) => c.connectorId === connectorId)?.status;
  const availability = (body: object, token = admin, charger = CHARGER) => t.request('POST', `/chargers/${charger}/availability`, { token, body });

  beforeAll(async () => {
    t = await startTestSystem();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [CHARGER, OFFLINE]).execute();
    admin = await t.adminToken();
    [alice, bob, carol] = [await t.createUser(), await t.createUser(), await t.createUser()];
    sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc112`, connectors: 2, meterValueIntervalMs: 0 });
    await sim.connect();
    await sim.boot();
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('knows the connectors from NumberOfConnectors before they report, then lists what each reported', async () => {
    // After the boot the charger is asked GetConfiguration NumberOfConnectors; its two connectors exist without a status.
    await until(async () => (await connectors()).length === 2);
    expect(await connectors()).toEqual([1, 2].map((connectorId) => ({
      connectorId, status: null, errorCode: null, info: null, vendorId: null, vendorErrorCode: null, statusAt: null, receivedAt: null,
    })));

    await sim.statusNotification(0, 'Available');
    await sim.statusNotification(1, 'Available');
    await sim.statusNotification(2, 'Available');
    const listed = await connectors();
    expect(listed.map((c) => [c.connectorId, c.status, c.errorCode])).toEqual([[0, 'Available', 'NoError'], [1, 'Available', 'NoError'], [2, 'Available', 'NoError']]);
    expect(Date.parse(listed[2].statusAt)).not.toBeNaN();
    expect(Date.parse(listed[2].receivedAt)).not.toBeNaN();

    // Public, like GET /chargers/{id}: a stale token is not looked at.
    expect((await t.request('GET', `/chargers/${CHARGER}/connectors`, { token: 'stale' })).status).toBe(200);
    expect((await t.request('GET', '/chargers/123456/connectors')).status).toBe(404);
    expect((await t.request('GET', '/chargers/abc/connectors')).status).toBe(400);
  });

  it('pages the status history with the errors the charger reported', async () => {
    await sim.call('StatusNotification', {
      connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', info: 'RCD tripped', vendorId: 'com.example', vendorErrorCode: 'E42',
      timestamp: new Date().toISOString(),
    });
    const faulted = (await connectors()).find((c) => c.connectorId === 2);
    expect(faulted).toMatchObject({ status: 'Faulted', errorCode: 'GroundFailure', info: 'RCD tripped', vendorId: 'com.example', vendorErrorCode: 'E42' });
    await sim.statusNotification(2, 'Available');

    const history = await t.request('GET', `/chargers/${CHARGER}/status-history`, { token: admin });
    expect(history.status).toBe(200);
    expect(history.body.map((e: any) => [e.connectorId, e.status, e.errorCode])).toEqual([
      [2, 'Available', 'NoError'], [2, 'Faulted', 'GroundFailure'], [2, 'Available', 'NoError'], [1, 'Available', 'NoError'], [0, 'Available', 'NoError'],
    ]);
    expect(history.body[1]).toMatchObject({ info: 'RCD tripped', vendorId: 'com.example', vendorErrorCode: 'E42' });

    const errors = await t.request('GET', `/chargers/${CHARGER}/status-history?errorsOnly=true`, { token: admin });
    expect(errors.body.map((e: any) => e.id)).toEqual([history.body[1].id]);

    const first = await t.request('GET', `/chargers/${CHARGER}/status-history?connectorId=2&limit=2`, { token: admin });
    expect(first.body.map((e: any) => e.status)).toEqual(['Available', 'Faulted']);
    const next = await t.request('GET', `/chargers/${CHARGER}/status-history?connectorId=2&limit=2&before=${first.body[1].id}`, { token: admin });
    expect(next.body.map((e: any) => e.status)).toEqual(['Available']);
    expect((await t.request('GET', `/chargers/${CHARGER}/status-history?connectorId=0`, { token: admin })).body.map((e: any) => e.connectorId)).toEqual([0]);

    expect((await t.request('GET', `/chargers/${CHARGER}/status-history`)).status).toBe(401);
    expect((await t.request('GET', `/chargers/${CHARGER}/status-history`, { token: alice.token })).status).toBe(403);
    expect((await t.request('GET', `/chargers/${CHARGER}/status-history?limit=0`, { token: admin })).status).toBe(400);
  });

  it('charges on connector 1 and, at once, reserves and charges on connector 2; a busy or unknown connector is refused', async () => {
    const first = await t.request('POST', '/transaction', { token: alice.token, body: { connectorID: CHARGER } });
    expect(first.status).toBe(201);
    expect((await t.request('PUT', `/transaction/start/${first.body.transactionID}`, { token: alice.token })).body.status).toBe('Charging');
    expect(sim.connector(1).transactionId).toBe(first.body.transactionID);

    // Connector 1 charges; connector 2 can still be reserved and used.
    const reserved = await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: CHARGER, ocppConnectorId: 2 } });
    expect(reserved.status).toBe(201);
    expect(reserved.body).toMatchObject({ connectorID: CHARGER, ocppConnectorId: 2, status: 'Accepted' });
    expect(sim.connector(2).reservationId).toBe(reserved.body.reservationID);
    expect((await t.request('POST', '/transaction', { token: carol.token, body: { connectorID: CHARGER, ocppConnectorId: 2 } })).body.code).toBe('chargerReserved');

    const second = await t.request('POST', '/transaction', { token: bob.token, body: { connectorID: CHARGER, ocppConnectorId: 2 } });
    expect(second.status).toBe(201);
    expect((await t.request('PUT', `/transaction/start/${second.body.transactionID}`, { token: bob.token })).body.status).toBe('Charging');
    expect(sim.connector(2).transactionId).toBe(second.body.transactionID);
    expect(sim.connector(1).transactionId).toBe(first.body.transactionID);
    expect((await t.request('GET', `/reservations/${reserved.body.reservationID}`, { token: bob.token })).body.status).toBe('Used');
    const rows = await db().selectFrom('charging_sessions').select(['id', 'connector_id', 'status']).where('id', 'in', [first.body.transactionID, second.body.transactionID]).orderBy('id').execute();
    expect(rows).toEqual([
      { id: first.body.transactionID, connector_id: 1, status: 'Charging' },
      { id: second.body.transactionID, connector_id: 2, status: 'Charging' },
    ]);

    expect((await t.request('POST', '/transaction', { token: carol.token, body: { connectorID: CHARGER, ocppConnectorId: 2 } })).body.code).toBe('chargerInUse');
    expect((await t.request('POST', '/transactions', { token: carol.token, body: { connectorID: CHARGER } })).body.code).toBe('chargerInUse');
    const unknown = await t.request('POST', '/transaction', { token: carol.token, body: { connectorID: CHARGER, ocppConnectorId: 3 } });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'connectorNotFound']);
    expect((await t.request('POST', '/reservations', { token: carol.token, body: { connectorID: CHARGER, ocppConnectorId: 0 } })).status).toBe(400);

    // Connector 1 is taken out of service while it charges: Scheduled, and Unavailable once its session ends.
    expect((await availability({ type: 'Inoperative', connectorId: 1 })).body).toEqual({ status: 'Scheduled', connectorId: 1, type: 'Inoperative' });
    expect((await t.request('PUT', `/transaction/stop/${first.body.transactionID}`, { token: alice.token })).body.status).toBe('Completed');
    await until(async () => (await statusOf(1)) === 'Unavailable');
    expect(sim.connector(1).status).toBe('Unavailable');
    expect((await t.request('PUT', `/transaction/stop/${second.body.transactionID}`, { token: bob.token })).body.status).toBe('Completed');
    await until(async () => (await statusOf(2)) === 'Available');
    expect((await t.request('POST', '/transaction', { token: carol.token, body: { connectorID: CHARGER, ocppConnectorId: 1 } })).body.code).toBe('chargerNotAvailable');
    expect((await availability({ type: 'Operative', connectorId: 1 })).body.status).toBe('Accepted');
    await until(async () => (await statusOf(1)) === 'Available');
  });

  it('takes the whole charger out of service and back with ChangeAvailability, and refuses what it cannot send', async () => {
    expect((await availability({ type: 'Inoperative' })).body).toEqual({ status: 'Accepted', connectorId: 0, type: 'Inoperative' });
    await until(async () => (await statusOf(1)) === 'Unavailable' && (await statusOf(2)) === 'Unavailable');
    const history = await t.request('GET', `/chargers/${CHARGER}/status-history?limit=2`, { token: admin });
    expect(history.body.map((e: any) => e.status)).toEqual(['Unavailable', 'Unavailable']);
    expect((await t.request('GET', `/chargers/${CHARGER}`)).body.status).toBe('Unavailable');

    expect((await availability({ type: 'Operative', connectorId: 0 })).body.status).toBe('Accepted');
    await until(async () => (await statusOf(1)) === 'Available' && (await statusOf(2)) === 'Available');

    expect((await availability({ type: 'Inoperative', connectorId: 5 })).body.code).toBe('connectorNotFound');
    expect((await availability({ type: 'Broken' })).status).toBe(400);
    expect((await availability({ type: 'Inoperative', connectorId: -1 })).status).toBe(400);
    expect((await availability({ type: 'Inoperative' }, admin, OFFLINE)).body.code).toBe('chargerOffline');
    expect((await availability({ type: 'Inoperative' }, alice.token)).status).toBe(403);
    expect((await t.request('POST', `/chargers/${CHARGER}/availability`, { body: { type: 'Inoperative' } })).status).toBe(401);
  });

  it('sends an admin\'s PUT /chargers/{id} status Unavailable and Available to a connected charger; an offline one gets it after its boot', async () => {
    const down = await t.request('PUT', `/chargers/${CHARGER}`, { token: admin, body: { status: 'Unavailable' } });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ connectorID: CHARGER, status: 'Unavailable', availability: { type: 'Inoperative', status: 'Accepted' } });
    await until(async () => sim.connector(1).status === 'Unavailable' && sim.connector(2).status === 'Unavailable');
    await until(async () => (await statusOf(2)) === 'Unavailable');

    const up = await t.request('PUT', `/chargers/${CHARGER}`, { token: admin, body: { status: 'Available' } });
    expect(up.body).toMatchObject({ status: 'Available', availability: { type: 'Operative', status: 'Accepted' } });
    await until(async () => (await statusOf(1)) === 'Available' && (await statusOf(2)) === 'Available');

    const offline = await t.request('PUT', `/chargers/${OFFLINE}`, { token: admin, body: { status: 'Unavailable' } });
    expect(offline.status).toBe(200);
    expect(offline.body).toMatchObject({ status: 'Unavailable', availability: { type: 'Inoperative', status: 'Pending' } });
    const pending = () => db().selectFrom('chargers').select('pending_availability').where('id', '=', OFFLINE).executeTakeFirstOrThrow();
    expect((await pending()).pending_availability).toBe('Inoperative');

    const late = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc113`, meterValueIntervalMs: 0 });
    try {
      await late.connect();
      await late.boot();
      await until(async () => late.connector(1).status === 'Unavailable');
      await until(async () => (await pending()).pending_availability === null);
      await until(async () => (await t.request('GET', `/chargers/${OFFLINE}/connectors`)).body.some((c: any) => c.connectorId === 1 && c.status === 'Unavailable'));
    } finally {
      await late.close();
    }

    // Another status is the apps' override only: nothing is sent or kept for later.
    const faulted = await t.request('PUT', `/chargers/${OFFLINE}`, { token: admin, body: { status: 'Faulted' } });
    expect(faulted.body.status).toBe('Faulted');
    expect(faulted.body).not.toHaveProperty('availability');
  });

  it('asks NumberOfConnectors after a boot only while the count is unknown, and again after a boot with another firmware', async () => {
    const ID = 100004;
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', ID).execute();
    const raw = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc114`, {
      answers: {
        GetConfiguration: () => ({ configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '2' }] }),
        GetLocalListVersion: () => ({ listVersion: -1 }),
      },
    });
    const boot = (firmwareVersion: string) => raw.call('BootNotification', { ...BOOT, firmwareVersion });
    const asked = () => raw.received.filter((frame) => frame[0] === 2 && frame[2] === 'GetConfiguration' && frame[3].key?.includes('NumberOfConnectors')).length;
    const count = async () => (await db().selectFrom('chargers').select('connector_count').where('id', '=', ID).executeTakeFirstOrThrow()).connector_count;
    try {
      await boot('1.0');
      await until(async () => asked() === 1 && (await count()) === 2);

      await boot('1.0');
      // A command sent after the boot goes out after whatever the boot set off (one queue per charger).
      const probe = t.request('POST', `/chargers/${ID}/commands/ClearCache`, { token: admin, body: {} });
      const call = await raw.nextCall('ClearCache');
      raw.send([3, call[1], { status: 'Accepted' }]);
      expect((await probe).status).toBe(200);
      expect(asked()).toBe(1);

      await boot('2.0');
      await until(async () => asked() === 2 && (await count()) === 2);
    } finally {
      await raw.close();
    }
  });
});
