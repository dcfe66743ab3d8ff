import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSite, runSite, seededRandom, setUpSite, type SiteCharger } from '../../src/sim/index.ts';
import { peakSessions, PROOF_CHARGER, PROOF_RULES, PROOF_RUN, PROOF_SITE, summary, violationsText } from '../support/loadBalancingProof.ts';
import { startTestSystem } from '../support/testSystem.ts';

const RUN_MS = 90_000;
const SEED = 16;

/**
 * The proof of the load balancer (what each rule means: src/sim/siteAnalysis.ts): cars come
 * and go at random on ten 32 A chargers sharing 63 A, and the power the simulated chargers
 * draw, read from their own meters every 100 ms, is judged:
 * - the site's total stays within 63 A × 3 × 230 V, except within B (5 s) after a session
 *   starts: a new car draws its charger's full power until its profile arrives;
 * - a session that has run longer than B draws at least 6 A, or 0 A while it waits, and it
 *   waits only if at some moment in the last B the running sessions could not all have
 *   6 A (with ten chargers on 63 A they always can: 6.3 A each);
 * - no settled session waits longer than 2 B at a stretch (none is starved).
 */
describe('load balancing: ten 32 A chargers with cars coming and going on a 63 A site', { timeout: RUN_MS + 120_000 }, () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let chargers: SiteCharger[] = [];

  beforeAll(async () => {
    t = await startTestSystem();
    const setup = await setUpSite({ api: t.system.httpUrl, token: await t.adminToken(), name: 'Load balancing proof', prefix: 'lbproof', ...PROOF_SITE });
    chargers = await connectSite(setup, (serial) => `${t.system.ocppUrl}/charger/${serial}`, PROOF_CHARGER);
  });
  afterAll(async () => {
    await Promise.all(chargers.map(({ simulator }) => simulator.close()));
    await t?.close();
  });

  it('keeps the chargers within the site\'s limit, gives every session at least 6 A and starves none', async () => {
    const run = await runSite({ chargers, durationMs: RUN_MS, random: seededRandom(SEED), rules: PROOF_RULES, ...PROOF_RUN });
    console.log(summary(run));

    expect(run.sessions.filter((s) => s.error)).toEqual([]);
    // Demand was well above the limit most of the time: three cars at full power exceed it.
    expect(peakSessions(run.sessions)).toBeGreaterThanOrEqual(6);
    expect(run.report.violations, violationsText(run)).toEqual([]);
  });
});
