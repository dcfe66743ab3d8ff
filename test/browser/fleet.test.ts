import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CHARGERS } from '../../src/db/seedData.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import {
  chromiumMissing, describeProblems, fitsWidth, liveConnected, pageSettled, screenshot, startBrowserSystem, textOf, WAIT_MS, type BrowserSystem,
} from '../support/browser.ts';

/** The Online/Offline word a charger's presence shows (t('common.online') / t('common.offline')). */
const presenceOf = (page: Page, chargerId: number) => page.locator(`[data-testid="charger-${chargerId}"] [data-testid="presence"]`);
const presenceText = (page: Page, chargerId: number) => textOf(presenceOf(page, chargerId));

/** Waits until every seeded charger has its row or card on the fleet page (shown or not, e.g. in a collapsed site). */
async function seededChargersListed(page: Page): Promise<void> {
  for (const { id } of SEED_CHARGERS) await page.locator(`[data-testid="charger-${id}"]`).first().waitFor({ state: 'attached', timeout: WAIT_MS });
}

/** A phone held upright (iPhone 12–15). */
const PHONE = { width: 390, height: 844 };

/** The links of the top bar's navigation and where they go (app.tsx NAV). */
const SECTIONS = [
  ['Fleet', '/fleet'], ['Sessions', '/sessions'], ['Users', '/users'], ['RFID cards', '/cards'], ['Tariffs', '/tariffs'],
  ['Invoices', '/invoices'], ['Self-test', '/self-test'],
] as const;

/** Marks the document, so that a later check tells whether it is still the same one (no reload). */
const markDocument = (page: Page) => page.evaluate(() => { Object.assign(window, { loadedBeforeTheTest: true }); });
const sameDocument = (page: Page) => page.evaluate(() => 'loadedBeforeTheTest' in window);

describe.skipIf(chromiumMissing)('the fleet page', () => {
  let s: BrowserSystem;
  const simulators: ChargerSimulator[] = [];
  beforeAll(async () => {
    s = await startBrowserSystem();
  });
  afterAll(async () => {
    await Promise.allSettled(simulators.map((sim) => sim.close()));
    await s?.close();
  });

  it('lists the seeded chargers, offline, each linking to its charger page', async () => {
    const { page, open, problems } = await s.dashboard();
    await open('/fleet');
    await seededChargersListed(page);
    // Nothing has connected to this server: every seeded charger is offline.
    for (const { id } of SEED_CHARGERS) expect(await presenceText(page, id), `charger ${id}`).toBe('Offline');
    await pageSettled(page);
    await screenshot(page, 'fleet');

    const serial = SEED_CHARGERS[2];
    await page.locator(`[data-testid="charger-${serial.id}"]`).first().getByRole('link', { name: serial.serialNumber, exact: true }).click();
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: WAIT_MS }).toBe(`#/chargers/${serial.id}`);
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it('shows a charger online as it connects and offline as it leaves, without a reload', async () => {
    const charger = SEED_CHARGERS[1];
    await s.t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', charger.id).execute();
    const { page, open, problems } = await s.dashboard();
    await open('/fleet');
    await liveConnected(page);
    await presenceOf(page, charger.id).first().waitFor({ state: 'attached', timeout: WAIT_MS });
    expect(await presenceText(page, charger.id)).toBe('Offline');
    await markDocument(page);

    const sim = new ChargerSimulator({ url: `${s.t.system.ocppUrl}/charger/${charger.serialNumber}`, meterValueIntervalMs: 0 });
    simulators.push(sim);
    await sim.connect();
    await sim.boot();
    await expect.poll(() => presenceText(page, charger.id), { timeout: WAIT_MS }).toBe('Online');
    // Only the charger that connected turned online.
    expect(await presenceText(page, SEED_CHARGERS[2].id)).toBe('Offline');

    await sim.close();
    await expect.poll(() => presenceText(page, charger.id), { timeout: WAIT_MS }).toBe('Offline');
    expect(await sameDocument(page)).toBe(true);
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it('fits a phone: every section scrolls only down, and each link of the navigation can be followed', async () => {
    const { page, open } = await s.dashboard({ viewport: PHONE });
    await open('/fleet');
    expect(await page.evaluate(() => window.innerWidth)).toBe(PHONE.width);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    const links = await nav.getByRole('link').all();
    expect(links.length).toBe(SECTIONS.length);
    for (const [name, route] of SECTIONS) {
      await nav.getByRole('link', { name, exact: true }).click();
      await expect.poll(() => page.evaluate(() => location.hash), { timeout: WAIT_MS }).toBe(`#${route}`);
      await pageSettled(page);
      expect(await fitsWidth(page), route).toBe(true);
    }
  });

  it('fits a phone with the fleet listed and on a charger page', async () => {
    const { page, open, problems } = await s.dashboard({ viewport: PHONE });
    await open('/fleet');
    await seededChargersListed(page);
    await pageSettled(page);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'phone-fleet');

    await open(`/chargers/${SEED_CHARGERS[0].id}`);
    await page.locator('[data-testid="charger-presence"]').waitFor({ timeout: WAIT_MS });
    await pageSettled(page);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'phone-charger');
    expect(problems, describeProblems(problems)).toEqual([]);
  });
});
