import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startKlarnaStandIn } from '../support/klarnaStandIn.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

describe('paying with Klarna (against a local stand-in)', () => {
  let klarna: Awaited<ReturnType<typeof startKlarnaStandIn>>;
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let driver: { id: number; token: string };
  let admin: string;
  let sim: ChargerSimulator;
  const db = () => t.system.database.db;

  beforeAll(async () => {
    klarna = await startKlarnaStandIn();
    t = await startTestSystem({ BYPASS_KLARNA: '0', KLARNA_BASE_URL: klarna.url, KLARNA_TOKEN: 'merchant:secret', OCPP_START_TIMEOUT: '2' });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002]).execute();
    driver = await t.createUser();
    admin = await t.adminToken();
    sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc111`, meterValueIntervalMs: 20, powerW: 3_600_000 });
    await sim.connect();
    await sim.boot();
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
    await klarna?.close();
  });

  async function charge(untilEnergy: boolean, token = 'auth-ok-1') {
    await sim.statusNotification(1, 'Available');
    const created = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100001, paymentType: 'klarna' } });
    const id = created.body.transactionID;
    const started = await t.request('PUT', `/transaction/start/${id}`, { token: driver.token, body: { authorization_token: token } });
    if (untilEnergy) await until(async () => (await t.request('GET', `/transaction/${id}`, { token: driver.token })).body.energyWh > 100);
    return { created, started, id };
  }

  it('runs a paid session: payment session for the reservation amount → order at start → update and capture at stop', async () => {
    const { created, started, id } = await charge(true);
    expect(created.status).toBe(201);
    expect(created.body.klarnaSessionID).toMatch(/^session-/);
    expect(created.body.klarnaClientToken.length).toBeGreaterThan(1000);
    expect(started.body.status).toBe('Charging');
    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.body).toMatchObject({ status: 'Completed', paymentStatus: 'Captured', paymentMethod: 'klarna' });
    const payment = await db().selectFrom('payments').selectAll().where('session_id', '=', id).executeTakeFirstOrThrow();
    const order = klarna.orders.get(payment.klarna_order_id!)!;
    expect(order).toMatchObject({ status: 'CAPTURED', captured: stopped.body.price, amount: stopped.body.price });
    expect(payment.captured_ore).toBe(stopped.body.price);
    const sessionCall = klarna.calls.find((call) => call.path === '/payments/v1/sessions')!;
    expect(sessionCall.body).toMatchObject({ purchase_country: 'SE', purchase_currency: 'SEK', order_amount: 30000, order_tax_amount: 6000 });
    const events = await db().selectFrom('payment_events').selectAll().where('payment_id', '=', payment.id).orderBy('id').execute();
    expect(events.map((event) => [event.operation, event.outcome])).toEqual([['createSession', 'ok'], ['createOrder', 'ok'], ['updateAuthorization', 'ok'], ['capture', 'ok']]);
    expect(new Set(events.map((event) => event.idempotency_key)).size).toBe(4);
    expect(klarna.calls.every((call) => call.key)).toBe(true);
  });

  it('refunds a captured session (admin), and never more than was captured', async () => {
    const [session] = (await t.request('GET', `/transaction/userTransactions/${driver.id}`, { token: driver.token })).body;
    const part = Math.ceil(session.price / 2);
    expect((await t.request('POST', `/transaction/${session.transactionID}/refund`, { token: driver.token, body: { amount: part } })).status).toBe(403);
    const refunded = await t.request('POST', `/transaction/${session.transactionID}/refund`, { token: admin, body: { amount: part } });
    expect(refunded.status).toBe(200);
    const payment = await db().selectFrom('payments').selectAll().where('session_id', '=', session.transactionID).executeTakeFirstOrThrow();
    expect(payment.refunded_ore).toBe(part);
    expect(klarna.orders.get(payment.klarna_order_id!)!.refunded).toBe(part);
    const tooMuch = await t.request('POST', `/transaction/${session.transactionID}/refund`, { token: admin, body: { amount: payment.captured_ore } });
    expect(tooMuch.body.code).toBe('invalidRefund');
  });

  it('leaves a failed capture visibly unpaid for an admin, with the session complete', async () => {
    klarna.behaviour.failCapture = true;
    const { id } = await charge(true);
    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    klarna.behaviour.failCapture = false;
    expect(stopped.body).toMatchObject({ status: 'Completed', paymentStatus: 'SettlementFailed' });
    expect(stopped.body.price).toBeGreaterThan(0);
    const payment = await db().selectFrom('payments').select('id').where('session_id', '=', id).executeTakeFirstOrThrow();
    const capture = await db().selectFrom('payment_events').selectAll().where('payment_id', '=', payment.id).where('operation', '=', 'capture').executeTakeFirstOrThrow();
    expect(capture).toMatchObject({ outcome: 'refused', http_status: 403 });
    expect(capture.detail).toContain('CAPTURE_NOT_ALLOWED');
  });

  it('retries a call cut off by the network with the same idempotency key, capturing once', async () => {
    klarna.behaviour.dropNextCapture = true;
    const { id } = await charge(true);
    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.body.paymentStatus).toBe('Captured');
    const payment = await db().selectFrom('payments').select('id').where('session_id', '=', id).executeTakeFirstOrThrow();
    const captures = await db().selectFrom('payment_events').selectAll().where('payment_id', '=', payment.id).where('operation', '=', 'capture').orderBy('id').execute();
    expect(captures.map((event) => event.outcome)).toEqual(['networkError', 'ok']);
    expect(captures[0]!.idempotency_key).toBe(captures[1]!.idempotency_key);
    expect(klarna.calls.filter((call) => call.key === captures[0]!.idempotency_key)).toHaveLength(2);
  });

  it('cancels the order of a session that costs nothing', async () => {
    const idle = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc112`, meterValueIntervalMs: 0, powerW: 0 });
    await idle.connect();
    await idle.boot();
    const id = (await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100002 } })).body.transactionID;
    await t.request('PUT', `/transaction/start/${id}`, { token: driver.token, body: { authorization_token: 'auth-ok-2' } });
    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.body).toMatchObject({ status: 'Completed', energyWh: 0, price: 0, paymentStatus: 'NothingOwed' });
    const payment = await db().selectFrom('payments').selectAll().where('session_id', '=', id).executeTakeFirstOrThrow();
    expect(klarna.orders.get(payment.klarna_order_id!)!.status).toBe('CANCELLED');
    await idle.close();
  });

  it('releases the hold when the start fails, and refuses a start without an authorization token', async () => {
    await sim.statusNotification(1, 'Available');
    const noToken = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100001 } });
    const refused = await t.request('PUT', `/transaction/start/${noToken.body.transactionID}`, { token: driver.token });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('klarnaNotAuthorized');
    expect((await t.request('GET', `/transaction/${noToken.body.transactionID}`, { token: driver.token })).body).toMatchObject({ status: 'Failed', paymentStatus: 'Released' });

    const badToken = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100001 } });
    const notFound = await t.request('PUT', `/transaction/start/${badToken.body.transactionID}`, { token: driver.token, body: { authorization_token: 'expired-token' } });
    expect(notFound.body.code).toBe('klarnaOrderNotFound');
  });
});
