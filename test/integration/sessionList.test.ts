import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

describe('GET /sessions and GET /sessions/{id}', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let driver: { id: number; email: string; token: string };
  let sim: ChargerSimulator | undefined;
  const db = () => t.system.database.db;
  /** Sessions written straight into the table, oldest first: the list's filters and pages are checked against them. */
  const stored: { id: number; chargerId: number; userId: number | null; status: string; began: Date }[] = [];

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
    driver = await t.createUser();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100001).execute();
    const day = (n: number) => new Date(Date.UTC(2025, 0, n, 12));
    const rows = [
      { charger_id: 100003, user_id: driver.id, status: 'Completed' as const, started_at: day(1), created_at: day(1) },
      { charger_id: 100004, user_id: null, id_tag: 'CARD-9', status: 'Completed' as const, started_at: day(2), created_at: day(2) },
      { charger_id: 100003, user_id: driver.id, status: 'Failed' as const, started_at: null, created_at: day(3) },
      { charger_id: 100004, user_id: driver.id, status: 'Cancelled' as const, started_at: null, created_at: day(4) },
      { charger_id: 100003, user_id: null, id_tag: 'CARD-9', status: 'Completed' as const, started_at: day(5), created_at: day(5) },
    ];
    for (const row of rows) {
      const { id } = await db().insertInto('charging_sessions').values({ ...row, energy_wh: 1000 }).returning('id').executeTakeFirstOrThrow();
      stored.push({ id, chargerId: row.charger_id, userId: row.user_id, status: row.status, began: row.started_at ?? row.created_at });
    }
  });
  afterAll(async () => {
    await sim?.close().catch(() => undefined);
    await t?.close();
  });

  const list = async (query: string) => {
    const response = await t.request('GET', `/sessions${query}`, { token: admin });
    expect(response.status, response.text).toBe(200);
    return response.body as { sessions: any[]; nextBefore: number | null };
  };
  const ids = (page: { sessions: any[] }) => page.sessions.map((session) => session.id);
  const newestFirst = (rows: typeof stored) => rows.map((row) => row.id).reverse();

  it('lists sessions newest first with their user\'s e-mail, and pages with nextBefore', async () => {
    const all = await list('');
    expect(ids(all)).toEqual(newestFirst(stored));
    expect(all.nextBefore).toBeNull();
    expect(all.sessions.find((session) => session.id === stored[0]!.id)).toEqual({
      id: stored[0]!.id, chargerId: 100003, connectorId: null, userId: driver.id, userEmail: driver.email, idTag: null, status: 'Completed',
      paymentMethod: expect.any(String), energyWh: 1000, powerW: null, priceOre: null, startedAt: stored[0]!.began.toISOString(), stoppedAt: null,
      stopReason: null, createdAt: stored[0]!.began.toISOString(),
    });
    expect(all.sessions.find((session) => session.id === stored[1]!.id)).toMatchObject({ userId: null, userEmail: null, idTag: 'CARD-9' });

    const first = await list('?limit=2');
    expect(ids(first)).toEqual(newestFirst(stored).slice(0, 2));
    expect(first.nextBefore).toBe(first.sessions[1].id);
    const second = await list(`?limit=2&before=${first.nextBefore}`);
    expect(ids(second)).toEqual(newestFirst(stored).slice(2, 4));
    const last = await list(`?limit=2&before=${second.nextBefore}`);
    expect(ids(last)).toEqual(newestFirst(stored).slice(4));
    expect(last.nextBefore).toBeNull();
  });

  it('filters by charger, user, status and the time the session began (its creation when it never started)', async () => {
    expect(ids(await list('?chargerId=100003'))).toEqual(newestFirst(stored.filter((row) => row.chargerId === 100003)));
    expect(ids(await list(`?userId=${driver.id}`))).toEqual(newestFirst(stored.filter((row) => row.userId === driver.id)));
    expect(ids(await list('?status=Completed&chargerId=100003'))).toEqual(newestFirst(stored.filter((row) => row.status === 'Completed' && row.chargerId === 100003)));
    const from = stored[1]!.began.toISOString();
    const to = stored[3]!.began.toISOString();
    expect(ids(await list(`?from=${from}&to=${to}`))).toEqual(newestFirst(stored.slice(1, 3)));
  });

  it('answers 400 with the envelope for a bad status, date, limit, cursor or time range', async () => {
    const cases: [string, string][] = [
      ['?status=Charged', 'invalidStatus'],
      ['?from=yesterday', 'invalidFrom'],
      ['?to=2025-13-01T00:00:00Z', 'invalidTo'],
      ['?limit=0', 'invalidLimit'],
      ['?limit=201', 'invalidLimit'],
      ['?before=abc', 'invalidCursor'],
      ['?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', 'invalidTimeRange'],
    ];
    for (const [query, code] of cases) {
      const response = await t.request('GET', `/sessions${query}`, { token: admin });
      expect(response.status, query).toBe(400);
      expect(response.body, query).toMatchObject({ status: 400, code: expect.any(String), message: expect.any(String) });
      expect(response.body.errorCodes, query).toContain(code);
    }
  });

  it('shows one session with its readings oldest first, its price lines and its payment with the provider\'s calls', async () => {
    sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc111`, meterValueIntervalMs: 0, powerW: 11_000 });
    await sim.connect();
    await sim.boot();
    const created = await t.request('POST', '/transaction', { token: driver.token, body: { connectorID: 100001 } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.transactionID;
    expect((await t.request('PUT', `/transaction/start/${id}`, { token: driver.token })).status).toBe(200);
    for (let i = 0; i < 3; i++) await sim.sendMeterValues(1);

    const running = await t.request('GET', `/sessions/${id}`, { token: admin });
    expect(running.status).toBe(200);
    expect(running.body.session).toMatchObject({ id, chargerId: 100001, connectorId: 1, userId: driver.id, userEmail: driver.email, status: 'Charging', powerW: 11_000, priceOre: null });
    expect(running.body.session.energyWh).toBe(t.system.summaries.live(id)!.energyWh);
    expect(running.body.priceLines).toBeNull();

    expect((await t.request('PUT', `/transaction/stop/${id}`, { token: driver.token })).status).toBe(200);
    await until(async () => (await t.request('GET', `/sessions/${id}`, { token: admin })).body.priceLines !== null);
    const { body } = await t.request('GET', `/sessions/${id}`, { token: admin });
    const row = await db().selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(body.session).toMatchObject({
      status: 'Completed', energyWh: row.energy_wh, priceOre: row.price_ore, pricePerKwhOre: row.price_per_kwh_ore, discountOre: row.discount_ore,
      meterStartWh: row.meter_start_wh, meterStopWh: row.meter_stop_wh, stopReason: row.stop_reason, flags: row.flags,
      startedAt: row.started_at!.toISOString(), stoppedAt: row.stopped_at!.toISOString(),
    });
    expect(body.priceLines).toEqual(row.price_breakdown);
    expect(body.priceLines.reduce((sum: number, line: any) => sum + line.amountOre, 0)).toBe(row.price_ore! + row.discount_ore);

    const readings = await db().selectFrom('meter_values').select(['sampled_at', 'measurand']).where('session_id', '=', id).execute();
    expect(body.meterValues).toHaveLength(readings.length);
    expect(body.meterValues.map((reading: any) => reading.measurand)).toContain('Power.Active.Import');
    const times = body.meterValues.map((reading: any) => Date.parse(reading.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(body.meterValues.find((reading: any) => reading.measurand === 'Power.Active.Import')).toMatchObject({ value: 11_000, unit: 'W' });

    const payments = await db().selectFrom('payments').selectAll().where('session_id', '=', id).execute();
    expect(body.payments.map((payment: any) => payment.id)).toEqual(payments.map((payment) => payment.id));
    const [payment] = payments;
    await db().insertInto('payment_events').values({ payment_id: payment!.id, operation: 'capture', idempotency_key: `test-${id}`, http_status: 201, outcome: 'ok', detail: null }).execute();
    const withEvent = (await t.request('GET', `/sessions/${id}`, { token: admin })).body.payments[0];
    expect(withEvent).toMatchObject({ id: payment!.id, provider: payment!.provider, status: payment!.status, capturedOre: payment!.captured_ore });
    expect(withEvent.events.at(-1)).toEqual({ at: expect.any(String), operation: 'capture', outcome: 'ok', httpStatus: 201, detail: null });
  });

  it('answers 404 for an unknown session and is for admins only', async () => {
    const unknown = await t.request('GET', '/sessions/99999999', { token: admin });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('notFoundError');
    expect((await t.request('GET', '/sessions')).status).toBe(401);
    expect((await t.request('GET', '/sessions', { token: driver.token })).status).toBe(403);
    expect((await t.request('GET', `/sessions/${stored[0]!.id}`, { token: driver.token })).status).toBe(403);
  });
});
