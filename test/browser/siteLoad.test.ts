import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import {
  chromiumMissing, describeProblems, fitsWidth, liveConnected, pageSettled, screenshot, startBrowserSystem, WAIT_MS, type BrowserSystem,
} from '../support/browser.ts';

const SITE = { id: 2, name: 'Jönköping University' };
const CHARGERS = [
  { id: 100004, serial: 'abc114', powerW: 7_360, tag: 'SITELOAD1' },
  { id: 100005, serial: 'abc115', powerW: 11_040, tag: 'SITELOAD2' },
];

describe.skipIf(chromiumMissing)('a site\'s load on the fleet page', () => {
  let s: BrowserSystem;
  const simulators: ChargerSimulator[] = [];
  const db = () => s.t.system.database.db;

  /** A standard OCPP 1.6 simulator as `charger`, booted, and the Power.Active.Import values it sends, newest last. */
  async function simulate(charger: (typeof CHARGERS)[number]) {
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', charger.id).execute();
    const powers: number[] = [];
    const sim = new ChargerSimulator({
      url: `${s.t.system.ocppUrl}/charger/${charger.serial}`, powerW: charger.powerW, meterValueIntervalMs: 0,
      onFrame: (direction, text) => {
        const frame = JSON.parse(text);
        if (direction !== 'out' || frame[0] !== 2 || frame[2] !== 'MeterValues') return;
        for (const value of frame[3].meterValue) {
          for (const sample of value.sampledValue) if (sample.measurand === 'Power.Active.Import') powers.push(Number(sample.value));
        }
      },
    });
    simulators.push(sim);
    await sim.connect();
    await sim.boot();
    await sim.statusNotification(1, 'Available');
    return { sim, powers };
  }

  beforeAll(async () => {
    // Every reading updates the session's stored power, so a page read at any moment shows the newest.
    s = await startBrowserSystem({ LIVEMETRICS_DB_UPDATE_INTERVAL: '0' });
    await db().insertInto('id_tags').values(CHARGERS.map((c) => ({ id_tag: c.tag }))).execute();
    const admin = await s.t.adminToken();
    expect((await s.t.request('PUT', `/chargePoints/${SITE.id}/capacity`, { token: admin, body: { maxCurrentA: 63, reserveCurrentA: 10 } })).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.allSettled(simulators.map((sim) => sim.close()));
    await s?.close();
  });

  /** A Power.Active.Import reading taken at `at`, sent by the simulator of a running session. */
  async function report(sim: ChargerSimulator, at: Date, watts: number) {
    await sim.call('MeterValues', {
      connectorId: 1, transactionId: sim.connector(1).transactionId,
      meterValue: [{ timestamp: at.toISOString(), sampledValue: [{ value: String(watts), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' }] }],
    });
  }

  it('shows the running connectors and the load against the limit as the chargers report it; the supply panel saves a priority', async () => {
    const [first, second] = [await simulate(CHARGERS[0]!), await simulate(CHARGERS[1]!)];
    // The two cars came 40 and 25 minutes ago; their chargers send what they measured since, a reading every 2 minutes.
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    for (const [index, { sim }] of [first, second].entries()) {
      const { idTagInfo } = await sim.startLocalSession(1, CHARGERS[index]!.tag);
      expect(idTagInfo.status).toBe('Accepted');
      const arrived = index === 0 ? 40 : 25;
      await db().updateTable('charging_sessions').set({ started_at: minutesAgo(arrived) }).where('charger_id', '=', CHARGERS[index]!.id).where('status', '=', 'Charging').execute();
      for (let minutes = arrived - 1; minutes > 0; minutes -= 2) {
        // A car draws less as its battery fills.
        await report(sim, minutesAgo(minutes), Math.round(CHARGERS[index]!.powerW * Math.min(1, 0.5 + minutes / arrived)));
      }
      await sim.sendMeterValues(1);
    }

    const { page, open, problems } = await s.dashboard();
    await open('/fleet');
    await liveConnected(page);
    const site = page.locator('section.fleet-group').filter({ has: page.getByRole('heading', { name: SITE.name }) });
    const glance = site.getByTestId('site-load-glance');
    const shownLoad = async () => Number(await glance.getAttribute('data-load-w'));
    const limitW = Number(await glance.getAttribute('data-limit-w'));
    expect(limitW).toBe((await s.t.request('GET', `/chargePoints/${SITE.id}/load`, { token: await s.t.adminToken() })).body.limitW);
    await expect.poll(shownLoad, { timeout: WAIT_MS }).toBe(first.powers.at(-1)! + second.powers.at(-1)!);

    await site.getByText('Load and balancing', { exact: true }).click();
    const panel = site.getByTestId('site-load');
    await panel.getByRole('img', { name: /^Load of Jönköping University/ }).waitFor({ timeout: WAIT_MS });
    const rows = panel.getByTestId('site-load-row');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(2);
    expect(await rows.evaluateAll((all) => all.map((row) => Number(row.getAttribute('data-charger'))))).toEqual(CHARGERS.map((c) => c.id));

    // The second car draws less: the figures follow its charger's reading.
    const lower = Math.round(second.powers.at(-1)! / 2);
    await report(second.sim, new Date(), lower);
    await expect.poll(shownLoad, { timeout: WAIT_MS }).toBe(first.powers.at(-1)! + lower);
    const now = panel.getByTestId('site-load-now');
    await expect.poll(async () => Number(await now.getAttribute('data-load-w')), { timeout: WAIT_MS }).toBe(first.powers.at(-1)! + lower);
    await expect.poll(() => rows.nth(1).getAttribute('data-power-w'), { timeout: WAIT_MS }).toBe(String(lower));
    expect(await glance.textContent()).toContain(`${(first.powers.at(-1)! + lower) / 1000} kW of ${limitW / 1000} kW`);
    await pageSettled(page);
    await screenshot(page, 'fleet-site-load');
    // The site alone, for the README (docs/dashboard-site-load.png is a copy).
    await site.screenshot({ path: fileURLToPath(new URL('../../reports/screenshots/fleet-site-load-panel.png', import.meta.url)) });

    // At a phone's width the open panel fits: the table's rows become cards, the chart shrinks.
    const phone = await s.dashboard({ viewport: { width: 390, height: 844 } });
    await phone.open('/fleet');
    const phoneSite = phone.page.locator('section.fleet-group').filter({ has: phone.page.getByRole('heading', { name: SITE.name }) });
    await phoneSite.getByText('Load and balancing', { exact: true }).click();
    await expect.poll(() => phoneSite.getByTestId('site-load-row').count(), { timeout: WAIT_MS }).toBe(2);
    await pageSettled(phone.page);
    expect(await fitsWidth(phone.page)).toBe(true);
    expect(phone.problems, describeProblems(phone.problems)).toEqual([]);

    // A session that ends leaves the table and the load.
    await second.sim.stopSession(1);
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(1);
    await expect.poll(shownLoad, { timeout: WAIT_MS }).toBe(first.powers.at(-1));

    await open(`/chargers/${CHARGERS[0]!.id}`);
    await pageSettled(page);
    await page.getByTestId('smart-charging').waitFor({ timeout: WAIT_MS });
    await page.getByLabel('Balancing priority (1–10)').fill('4');
    await page.getByLabel('Limits sent as').selectOption('TxDefaultProfile');
    await page.getByRole('button', { name: 'Save supply' }).click();
    await page.getByText('Saved.').waitFor({ timeout: WAIT_MS });
    expect(await db().selectFrom('chargers').select(['balancing_priority', 'balancing_profile']).where('id', '=', CHARGERS[0]!.id).executeTakeFirstOrThrow())
      .toEqual({ balancing_priority: 4, balancing_profile: 'TxDefaultProfile' });
    expect(problems, describeProblems(problems)).toEqual([]);
  });
});
