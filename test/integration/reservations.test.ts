import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeReservation, expireReservations } from '../../src/domain/reservations.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';

describe('reservations', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  let admin: string;
  let sim: ChargerSimulator;
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100001).execute();
    alice = await t.createUser();
    bob = await t.createUser();
    admin = await t.adminToken();
    sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc111`, meterValueIntervalMs: 0 });
    await sim.connect();
    await sim.boot();
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('reserves a charger with ReserveNow; only the reserving user can then start on it', async () => {
    const created = await t.request('POST', '/reservations', { token: alice.token, body: { connectorID: 100001, minutes: 10 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ connectorID: 100001, userID: String(alice.id), status: 'Accepted' });
    expect(created.body.expiryTimestamp - Date.now() / 1000).toBeGreaterThan(500);
    expect(sim.connector(1).reservationId).toBe(created.body.reservationID);

    expect((await t.request('POST', '/transaction', { token: bob.token, body: { connectorID: 100001 } })).body.code).toBe('chargerReserved');
    expect((await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: 100001 } })).body.code).toBe('chargerReserved');

    const session = await t.request('POST', '/transaction', { token: alice.token, body: { connectorID: 100001 } });
    expect(session.status).toBe(201);
    const started = await t.request('PUT', `/transaction/start/${session.body.transactionID}`, { token: alice.token });
    expect(started.body.status).toBe('Charging');
    expect((await t.request('GET', `/reservations/${created.body.reservationID}`, { token: alice.token })).body.status).toBe('Used');
    expect((await t.request('PUT', `/transaction/stop/${session.body.transactionID}`, { token: alice.token })).body.status).toBe('Completed');
  });

  it('lists own reservations (all for admins) and hides others', async () => {
    const mine = await t.request('GET', '/reservations', { token: alice.token });
    expect(mine.body.every((r: any) => r.userID === String(alice.id))).toBe(true);
    expect((await t.request('GET', '/reservations', { token: bob.token })).body).toEqual([]);
    expect((await t.request('GET', '/reservations', { token: admin })).body.length).toBe(mine.body.length);
    expect((await t.request('GET', `/reservations/${mine.body[0].reservationID}`, { token: bob.token })).status).toBe(404);
    expect((await t.request('GET', '/reservations')).status).toBe(401);
  });

  it('cancels a reservation on the charger and frees it', async () => {
    await sim.statusNotification(1, 'Available');
    const created = await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: 100001 } });
    expect(created.status).toBe(201);
    expect((await t.request('DELETE', `/reservations/${created.body.reservationID}`, { token: alice.token })).status).toBe(404);
    const cancelled = await t.request('DELETE', `/reservations/${created.body.reservationID}`, { token: bob.token });
    expect(cancelled.body.status).toBe('Cancelled');
    expect(sim.connector(1).reservationId).toBeUndefined();
    expect((await t.request('DELETE', `/reservations/${created.body.reservationID}`, { token: bob.token })).status).toBe(409);
  });

  it('releases an expired reservation', async () => {
    await sim.statusNotification(1, 'Available');
    const created = await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: 100001, minutes: 1 } });
    await db().updateTable('reservations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', created.body.reservationID).execute();
    expect((await t.request('GET', `/reservations/${created.body.reservationID}`, { token: bob.token })).body.status).toBe('Expired');
    expect(await expireReservations(db())).toBe(1);
    const row = await db().selectFrom('reservations').select('status').where('id', '=', created.body.reservationID).executeTakeFirstOrThrow();
    expect(row.status).toBe('Expired');
    expect(await activeReservation(db(), 100001)).toBeUndefined();
    // The server no longer holds the charger for Bob (the charger itself lets go at its own expiry time).
    expect((await t.request('POST', '/transaction', { token: alice.token, body: { connectorID: 100001 } })).body.code).not.toBe('chargerReserved');
  });

  it('refuses an offline or unknown charger and bad input', async () => {
    expect((await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: 100007 } })).body.code).toBe('chargerOffline');
    expect((await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: 5 } })).status).toBe(404);
    expect((await t.request('POST', '/reservations', { token: bob.token, body: { connectorID: 100001, minutes: 0 } })).status).toBe(400);
  });
});
