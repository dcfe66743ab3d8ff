import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CHARGERS } from '../../src/db/seedData.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import {
  chromiumMissing, describeProblems, liveConnected, pageSettled, screenshot, startBrowserSystem, type BrowserSystem,
} from '../support/browser.ts';

describe.skipIf(chromiumMissing)('every page of the dashboard', () => {
  let s: BrowserSystem;
  let planned: { path: string; periods: number };
  let planCharger: ChargerSimulator | undefined;
  /** The pages, by screenshot name: every section of the navigation and a page of each kind of detail. */
  const pages: Record<string, string> = {
    fleet: '/fleet',
    sessions: '/sessions',
    users: '/users',
    cards: '/cards',
    tariffs: '/tariffs',
    invoices: '/invoices',
    'self-test': '/self-test',
  };

  beforeAll(async () => {
    s = await startBrowserSystem();
    const db = s.t.system.database.db;
    // A finished session to show, with its meter values, from a simulated charger.
    const charger = SEED_CHARGERS[7];
    await db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', charger.id).execute();
    await db.insertInto('id_tags').values({ id_tag: 'BROWSER02' }).execute();
    const sim = new ChargerSimulator({ url: `${s.t.system.ocppUrl}/charger/${charger.serialNumber}`, meterValueIntervalMs: 0 });
    try {
      await sim.connect();
      await sim.boot();
      const { transactionId } = await sim.startLocalSession(1, 'BROWSER02');
      await sim.sendMeterValues(1);
      await sim.stopSession(1);
      pages['session'] = `/sessions/${transactionId}`;
    } finally {
      await sim.close();
    }
    const user = await s.t.createUser();
    pages['user'] = `/users/${encodeURIComponent(user.email)}`;
    // A driver's session with a charging plan, on a connected charger.
    await db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', SEED_CHARGERS[8].id).execute();
    planCharger = new ChargerSimulator({ url: `${s.t.system.ocppUrl}/charger/${SEED_CHARGERS[8].serialNumber}`, meterValueIntervalMs: 0 });
    await planCharger.connect();
    await planCharger.boot();
    const created = await s.t.request('POST', '/transaction', { token: user.token, body: { connectorID: SEED_CHARGERS[8].id } });
    expect(created.status).toBe(201);
    const plan = await s.t.request('PUT', `/transaction/${created.body.transactionID}/plan`, {
      token: user.token, body: { readyBy: new Date(Date.now() + 5 * 3_600_000).toISOString(), energyWh: 12_000 },
    });
    expect(plan.status).toBe(200);
    planned = { path: `/sessions/${created.body.transactionID}`, periods: plan.body.periods.length };
    pages['charger'] = `/chargers/${charger.id}`;
  });
  afterAll(async () => {
    await planCharger?.close();
    await s?.close();
  });

  it('shows a session\'s charging plan', async () => {
    const { page, open, problems } = await s.dashboard();
    await open(planned.path);
    const table = page.getByRole('table', { name: 'Charging plan' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(planned.periods);
    expect(await page.locator('#session-plan + p').textContent()).toMatch(/12(\.0)? kWh asked by .*; 12(\.0)? kWh planned in the cheapest hours, expected to cost/);
    await screenshot(page, 'page-session-plan');
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it.for(['fleet', 'sessions', 'session', 'users', 'user', 'cards', 'tariffs', 'invoices', 'self-test', 'charger'])(
    'shows the %s page without an error',
    async (name) => {
      const { page, open, problems } = await s.dashboard();
      await open(pages[name]!);
      await pageSettled(page);
      await screenshot(page, `page-${name}`);
      // A page that could not load what it shows says so in an alert (components/Async.tsx).
      expect(await page.locator('#main [role="alert"]').allTextContents()).toEqual([]);
      // The live stream opened too (a failed one would be a console error, perhaps only after the page settled).
      await liveConnected(page);
      expect(problems, describeProblems(problems)).toEqual([]);
    },
  );
});
