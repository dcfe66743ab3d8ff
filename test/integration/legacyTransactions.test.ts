import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

describe('the 2022 /transactions API', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let driver: { id: number; token: string };
  let other: { id: number; token: string };
  let admin: string;

  beforeAll(async () => {
    t = await startTestSystem();
    driver = await t.createUser();
    other = await t.createUser();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  it("passes the seed document's manual test: start through /transactions/start/:id, the person answers and sends StartTransaction with the same uniqueID", async () => {
    const person = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc113`, { protocols: [] });
    const created = await t.request('POST', '/transactions/session', { token: driver.token, body: { userID: String(driver.id), chargerID: 100003 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ transactionID: expect.any(Number), client_token: '', connectorID: 100003, userID: String(driver.id), paymentConfirmed: false });
    const id = created.body.transactionID;

    const apiCall = t.request('PUT', `/transactions/start/${id}`, { token: driver.token, body: { transactionID: id, authorization_token: 'from-klarna' } });
    const [, uniqueId, action, payload] = await person.nextCall();
    expect(action).toBe('RemoteStartTransaction');
    expect(payload).toMatchObject({ connectorID: 1, idTag: 1 });
    person.send([3, uniqueId, 'RemoteStartTransaction', { status: 'Accepted' }]);
    person.send([2, uniqueId, 'StartTransaction', { connectorId: 1, idTag: 1, meterStart: 1, reservationId: 1, timestamp: Date.now() }]);
    const confirmation = await person.next((frame) => frame[0] === 3 && frame[1] === uniqueId);
    expect(confirmation[2]).toEqual({ transactionId: id, idTagInfo: { status: 'Accepted' } });
    const started = await apiCall;
    expect(started.status).toBe(201);
    // BYPASS_KLARNA=1 (the default): payable by invoice, not through Klarna.
    expect(started.body).toMatchObject({ transactionID: id, status: 'Charging', meterStart: 1, isKlarnaPayment: false });
    expect(started.body.pricePerKwh).toMatch(/^\d+\.\d{2}$/);

    person.send([2, 'm1', 'MeterValues', { connectorId: 1, transactionId: 1, timestamp: Date.now(), values: {
      chargingPercent: { value: 40, unit: '%', measurand: 'SoC' }, chargingPower: { value: 7000, unit: 'W', measurand: 'Power.Active.Import' },
      chargedSoFar: { value: 1500, unit: 'Wh', measurand: 'Energy.Active.Import.Interval' } } }]);
    await person.answerTo('m1');
    const reading = await t.request('GET', `/transactions/${id}`, { token: driver.token });
    expect(reading.body).toMatchObject({ currentChargePercentage: 40 });

    const stopCall = t.request('PUT', `/transactions/stop/${id}`, { token: driver.token });
    const [, stopId, stopAction, stopPayload] = await person.nextCall();
    expect(stopAction).toBe('RemoteStopTransaction');
    expect(stopPayload).toMatchObject({ transactionID: id });
    person.send([3, stopId, 'RemoteStopTransaction', { status: 'Accepted' }]);
    person.send([2, stopId, 'StopTransaction', { connectorId: 1, idTag: 1, meterStop: 2001, reservationId: 1, transactionId: 1, timestamp: Date.now() }]);
    const stopped = await stopCall;
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'Completed', kwhTransfered: 2, paymentConfirmed: true });
    await person.close();
  });

  it('lists, records the payment reference, and lets only admins correct meters', async () => {
    const mine = await t.request('GET', `/transactions/userTransactions/${driver.id}`, { token: driver.token });
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBe(1);
    const id = mine.body[0].transactionID;
    expect((await t.request('GET', `/transactions/userTransactions/${driver.id}`, { token: other.token })).status).toBe(403);
    expect((await t.request('GET', '/transactions/chargerTransactions/100003', { token: admin })).body.map((s: any) => s.transactionID)).toEqual([id]);
    expect((await t.request('GET', '/transactions/chargerTransactions/100003', { token: other.token })).body).toEqual([]);

    const paid = await t.request('PUT', `/transactions/payment/${id}`, { token: driver.token, body: { paymentID: 'order-123' } });
    expect(paid.body.paymentID).toBe('order-123');
    expect((await t.request('PUT', `/transactions/payment/${id}`, { token: other.token, body: { paymentID: 'x' } })).status).toBe(404);

    expect((await t.request('PUT', `/transactions/meter/${id}`, { token: driver.token, body: { kwhTransfered: 9 } })).status).toBe(403);
    const corrected = await t.request('PUT', `/transactions/meter/${id}`, { token: admin, body: { kwhTransfered: 2.5, currentChargePercentage: 80 } });
    expect(corrected.body).toMatchObject({ kwhTransfered: 2.5, currentChargePercentage: 80 });
    const row = await t.system.database.db.selectFrom('charging_sessions').select('flags').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.flags).toContain('manualMeterCorrection');
  });

  it('requires a token, refuses acting as another user and answers unknown sessions with 404', async () => {
    expect((await t.request('POST', '/transactions', { body: { connectorID: 100001 } })).status).toBe(401);
    expect((await t.request('GET', '/transactions/1')).status).toBe(401);
    const forged = await t.request('POST', '/transactions', { token: other.token, body: { connectorID: 100001, userID: String(driver.id) } });
    expect(forged.status).toBe(403);
    expect((await t.request('POST', '/transactions', { token: other.token, body: { userID: String(other.id) } })).body.code).toBe('invalidconnectorID');
    expect((await t.request('GET', '/transactions/99999', { token: driver.token })).status).toBe(404);
    expect((await t.request('PUT', '/transactions/start/99999', { token: driver.token })).status).toBe(404);
  });
});
