import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, describeProblems, liveConnected, pageSettled, screenshot, startBrowserSystem, WAIT_MS, type BrowserSystem } from '../support/browser.ts';

describe.skipIf(chromiumMissing)('a site\'s grid connection and a charger\'s supply', () => {
  let s: BrowserSystem;
  beforeAll(async () => {
    s = await startBrowserSystem();
  });
  afterAll(async () => {
    await s?.close();
  });

  const db = () => s.t.system.database.db;

  it('are set from the fleet page and the charger page', async () => {
    const { page, open, problems } = await s.dashboard();
    await open('/fleet');
    await liveConnected(page);
    const site = page.locator('section.fleet-group').filter({ has: page.getByRole('heading', { name: 'Jönköping University' }) });
    await site.getByText('Grid connection', { exact: true }).click();
    await site.getByLabel('Current per phase (A)').fill('63');
    await site.getByLabel('Reserve for other loads, per phase (A)').fill('10');
    await site.getByRole('button', { name: 'Save grid connection' }).click();
    await site.getByText('Saved.').waitFor({ timeout: WAIT_MS });
    expect(await db().selectFrom('charge_points').select(['max_current_a', 'reserve_current_a', 'max_power_w']).where('id', '=', 2).executeTakeFirstOrThrow())
      .toEqual({ max_current_a: 63, reserve_current_a: 10, max_power_w: null });
    // A reserve that leaves the chargers nothing is refused with the server's reason.
    await site.getByLabel('Reserve for other loads, per phase (A)').fill('60');
    await site.getByRole('button', { name: 'Save grid connection' }).click();
    await site.getByText(/leaves less than 6 A/).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'fleet-capacity');

    await open('/chargers/100004');
    await pageSettled(page);
    await page.getByLabel('Maximum current per phase (A)').fill('16');
    await page.getByLabel('Wired to the site\'s phases').selectOption('L2');
    await page.getByRole('button', { name: 'Save supply' }).click();
    await page.getByText('Saved.').waitFor({ timeout: WAIT_MS });
    expect(await db().selectFrom('chargers').select(['max_current_a', 'phase_connection']).where('id', '=', 100004).executeTakeFirstOrThrow())
      .toEqual({ max_current_a: 16, phase_connection: 'L2' });
    // The refused save answered 400: the browser logs that response, nothing else.
    const others = problems.filter((problem) => !problem.text.includes('400'));
    expect(others, describeProblems(others)).toEqual([]);
  });
});
