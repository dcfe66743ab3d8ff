import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CHARGERS } from '../../src/db/seedData.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import {
  chromiumMissing, describeProblems, liveConnected, pageSettled, screenshot, startBrowserSystem, type BrowserSystem,
} from '../support/browser.ts';

describe.skipIf(chromiumMissing)('every page of the dashboard', () => {
  let s: BrowserSystem;
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
    pages['charger'] = `/chargers/${charger.id}`;
  });
  afterAll(() => s?.close());

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
