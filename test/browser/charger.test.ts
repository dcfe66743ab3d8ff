import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CHARGERS } from '../../src/db/seedData.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import {
  chromiumMissing, describeProblems, liveConnected, pageSettled, screenshot, startBrowserSystem, textOf, WAIT_MS, type BrowserSystem,
} from '../support/browser.ts';

const ID_TAG = 'BROWSER01';

describe.skipIf(chromiumMissing)('the charger page', () => {
  let s: BrowserSystem;
  const simulators: ChargerSimulator[] = [];

  /** A simulated charger speaking OCPP 1.6 as the seeded charger `charger`, connected and booted. */
  async function simulate(charger: (typeof SEED_CHARGERS)[number], options: { meterValueIntervalMs?: number; powerW?: number } = {}) {
    await s.t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', charger.id).execute();
    const sim = new ChargerSimulator({ url: `${s.t.system.ocppUrl}/charger/${charger.serialNumber}`, meterValueIntervalMs: 0, ...options });
    simulators.push(sim);
    await sim.connect();
    await sim.boot();
    await sim.statusNotification(1, 'Available');
    return sim;
  }

  beforeAll(async () => {
    s = await startBrowserSystem();
    await s.t.system.database.db.insertInto('id_tags').values({ id_tag: ID_TAG }).execute();
  });
  afterAll(async () => {
    await Promise.allSettled(simulators.map((sim) => sim.close()));
    await s?.close();
  });

  it('shows the running session\'s energy rising as the charger reports it', async () => {
    const charger = SEED_CHARGERS[4];
    // 22 kW reported every half second: a few Wh more each time.
    const sim = await simulate(charger, { meterValueIntervalMs: 500, powerW: 22_000 });
    const { idTagInfo } = await sim.startLocalSession(1, ID_TAG);
    expect(idTagInfo.status).toBe('Accepted');

    const { page, open, problems } = await s.dashboard();
    await open(`/chargers/${charger.id}`);
    await liveConnected(page);
    const energy = page.locator('[data-testid="session-energy"]').first();
    await energy.waitFor({ state: 'attached', timeout: WAIT_MS });
    const shownWh = async () => Number(await energy.getAttribute('data-wh'));
    const first = await shownWh();
    expect(Number.isInteger(first)).toBe(true);
    await expect.poll(shownWh, { timeout: WAIT_MS }).toBeGreaterThan(first);
    await pageSettled(page);
    await screenshot(page, 'charger-charging');
    await sim.stopSession(1);
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it('sends a Reset the operator chose, and shows the charger\'s answer in the message log and as the result', async () => {
    const charger = SEED_CHARGERS[5];
    const sim = await simulate(charger);
    const received: { action: string; payload: unknown }[] = [];
    sim.on('call', (action, payload) => received.push({ action, payload }));

    const { page, open, problems } = await s.dashboard();
    await open(`/chargers/${charger.id}`);
    const presence = page.locator('[data-testid="charger-presence"]');
    await expect.poll(() => textOf(presence), { timeout: WAIT_MS }).toBe('Online');
    // Connected again since the page asked for this charger's frames.
    await liveConnected(page);

    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Reset type').selectOption('Hard');
    await page.getByRole('button', { name: 'Send reset', exact: true }).click();

    await expect.poll(() => received, { timeout: WAIT_MS }).toContainEqual({ action: 'Reset', payload: { type: 'Hard' } });
    const log = page.locator('[data-testid="message-log"]');
    await log.locator('[data-testid="frame"][data-direction="out"][data-action="Reset"]').first().waitFor({ state: 'attached', timeout: WAIT_MS });
    const answer = log.locator('[data-testid="frame"][data-direction="in"][data-answers="Reset"]').first();
    await answer.waitFor({ state: 'attached', timeout: WAIT_MS });
    // The CALLRESULT pretty-printed: the frame [3, "<id>", {"status": "Accepted"}] or its payload.
    const shown = JSON.parse((await answer.locator('pre').textContent())!);
    expect(Array.isArray(shown) ? shown.slice(0, 1).concat(shown.slice(2)) : [3, shown]).toEqual([3, { status: 'Accepted' }]);
    const result = page.locator('[data-testid="command-result"]');
    await expect.poll(async () => (await textOf(result)) ?? '', { timeout: WAIT_MS }).toContain('Accepted');
    await screenshot(page, 'charger-reset');
    expect(problems, describeProblems(problems)).toEqual([]);
  });
});
