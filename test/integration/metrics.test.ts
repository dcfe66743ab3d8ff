import { getMetricsFromIterator, type PromHistogramData, type PromMetrics } from 'prom2javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError, ChargerSimulator } from '../../src/sim/index.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem, type TestSystem } from '../support/testSystem.ts';

const METRICS_TOKEN = 'metrics-token-for-the-test';

type Scrape = PromMetrics;
/** One series: a counter's or gauge's value, or a histogram's buckets, count and sum. */
type Series = { labels: Record<string, string>; value?: number } & Partial<PromHistogramData>;

async function scrape(t: Pick<TestSystem, 'request'>, token?: string): Promise<Scrape> {
  const response = await t.request('GET', '/metrics', { token });
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  // NaN is a valid sample (Prometheus reads prom-client's `Nan`, e.g. the event-loop lag mean of a
  // scrape right after the last one, with no delay sampled between); this parser reads no NaN at all.
  const readable = response.text.split('\n').filter((line) => !/\sNan$/i.test(line));
  return getMetricsFromIterator(readable[Symbol.iterator]());
}

/** The series of `name` whose labels include `labels` (none before a counter's first increment). */
function series(scraped: Scrape, name: string, labels: Record<string, string> = {}): Series[] {
  return ((scraped[name]?.data ?? []) as Series[]).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
}

/** The value of the one series of `name` with `labels`; 0 when there is none yet (a counter not yet incremented). */
function value(scraped: Scrape, name: string, labels: Record<string, string> = {}): number {
  const found = series(scraped, name, labels);
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value ?? found[0]?.count ?? 0;
}

describe('GET /metrics', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const db = () => t.system.database.db;
  beforeAll(async () => {
    t = await startTestSystem();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100004).execute();
    await db().insertInto('id_tags').values({ id_tag: 'METRICS01' }).execute();
    // Before the first scrape reads the energy total: a completed session counts, a cancelled one does not.
    await db().insertInto('charging_sessions').values([
      { charger_id: 100001, status: 'Completed', energy_wh: 12_345 },
      { charger_id: 100001, status: 'Cancelled', energy_wh: 999 },
    ]).execute();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  it('counts the OCPP traffic of a real charger: connection, messages, a command\'s latency and CALLERRORs both ways', async () => {
    const before = await scrape(t);
    const sim = new ChargerSimulator({
      url: `${t.system.ocppUrl}/charger/abc114`, meterValueIntervalMs: 0, idTag: 'METRICS01',
      behaviour: { Reset: () => { throw new CallError('NotSupported', 'this charger cannot reset'); } },
    });
    try {
      await sim.connect();
      await sim.boot();
      await sim.heartbeat();
      const configuration = await t.request('POST', '/chargers/100004/commands/ClearCache', { token: admin, body: {} });
      expect(configuration.status, configuration.text).toBe(200);
      const reset = await t.request('POST', '/chargers/100004/commands/Reset', { token: admin, body: { type: 'Soft' } });
      expect(reset.status, reset.text).toBe(502);
      await expect(sim.call('NoSuchAction', {})).rejects.toMatchObject({ code: 'NotImplemented' });
      await sim.startLocalSession(1);

      const after = await scrape(t);
      const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
      expect(value(after, 'flexicharge_chargers_connected', { dialect: 'ocpp1.6' })).toBe(1);
      expect(value(after, 'flexicharge_chargers_connected', { dialect: 'flexicharge' })).toBe(0);
      const messages = 'flexicharge_ocpp_messages_total';
      expect(delta(messages, { direction: 'in', action: 'Heartbeat', message_type: 'CALL' })).toBe(1);
      expect(delta(messages, { direction: 'out', action: 'Heartbeat', message_type: 'CALLRESULT' })).toBe(1);
      expect(delta(messages, { direction: 'out', action: 'ClearCache', message_type: 'CALL' })).toBe(1);
      expect(delta(messages, { direction: 'in', action: 'ClearCache', message_type: 'CALLRESULT' })).toBe(1);
      expect(delta(messages, { direction: 'in', action: 'Reset', message_type: 'CALLERROR' })).toBe(1);
      // An action that is no OCPP action is counted, but never becomes a label of its own.
      expect(delta(messages, { direction: 'out', action: 'other', message_type: 'CALLERROR' })).toBe(1);
      expect(series(after, messages, { action: 'NoSuchAction' })).toEqual([]);
      expect(delta('flexicharge_ocpp_callerrors_total', { direction: 'in', code: 'NotSupported' })).toBe(1);
      expect(delta('flexicharge_ocpp_callerrors_total', { direction: 'out', code: 'NotImplemented' })).toBe(1);

      const latency = 'flexicharge_ocpp_command_duration_seconds';
      expect(after[latency]?.type).toBe('histogram');
      expect(delta(latency, { action: 'ClearCache' })).toBe(1);
      expect(delta(latency, { action: 'Reset' })).toBe(1);
      const [clearCache] = series(after, latency, { action: 'ClearCache' });
      expect(clearCache!.buckets!['+Inf']).toBe(1);
      expect(clearCache!.sum).toBeGreaterThan(0);

      expect(value(after, 'flexicharge_sessions_active')).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('times HTTP requests by route template and status, never by the URL', async () => {
    expect((await t.request('GET', '/chargers/100001')).status).toBe(200);
    expect((await t.request('GET', '/chargers/999999')).status).toBe(404);
    expect((await t.request('GET', '/no/such/route/100001')).status).toBe(404);
    const scraped = await scrape(t);
    const durations = 'flexicharge_http_request_duration_seconds';
    expect(scraped[durations]?.type).toBe('histogram');
    expect(value(scraped, durations, { method: 'GET', route: '/chargers/:id', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(scraped, durations, { method: 'GET', route: '/chargers/:id', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(value(scraped, durations, { method: 'GET', route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    const routes = series(scraped, durations).map((sample) => sample.labels.route!);
    expect(routes.filter((route) => /\d{6}/.test(route))).toEqual([]);
  });

  it('shows the database pool, the journal, live sockets, energy and the process, every series labelled with the node', async () => {
    const user = await t.createUser();
    const socket = await RawCharger.connect(`${t.system.ocppUrl}/user/${user.id}?token=${user.token}`, { protocols: [] });
    try {
      const scraped = await scrape(t);
      expect(value(scraped, 'flexicharge_live_sockets')).toBe(1);
      expect(value(scraped, 'flexicharge_live_users')).toBe(1);
      expect(value(scraped, 'flexicharge_db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(value(scraped, 'flexicharge_db_pool_waiting')).toBeGreaterThanOrEqual(0);
      expect(value(scraped, 'flexicharge_ingest_journal_backlog')).toBe(0);
      expect(value(scraped, 'flexicharge_ingest_journal_mode')).toBe(0);
      expect(scraped.flexicharge_energy_delivered_wh_total?.type).toBe('counter');
      expect(value(scraped, 'flexicharge_energy_delivered_wh_total')).toBe(12_345);
      expect(scraped.nodejs_eventloop_lag_seconds?.type).toBe('gauge');
      for (const [name, family] of Object.entries(scraped)) {
        for (const sample of family.data) expect(sample.labels.node, name).toBe(t.system.cluster.nodeId);
      }
    } finally {
      socket.socket.close();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    t = await startTestSystem({ METRICS_TOKEN });
  });
  afterAll(() => t?.close());

  it('answers only a request with the token', async () => {
    for (const token of [undefined, 'wrong-token', `${METRICS_TOKEN}x`]) {
      const refused = await t.request('GET', '/metrics', { token });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ status: 401, code: 'unauthorizedError' });
    }
    const admin = await t.adminToken();
    expect((await t.request('GET', '/metrics', { token: admin })).status).toBe(401);
    const scraped = await scrape(t, METRICS_TOKEN);
    expect(value(scraped, 'flexicharge_chargers_connected', { dialect: 'ocpp1.6' })).toBe(0);
  });
});
