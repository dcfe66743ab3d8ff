import { runExcerpt, type RunSession, type SiteReport, type SiteRun, type SiteRunOptions } from '../../src/sim/index.ts';

/**
 * The site of the load-balancing proof (README, Load balancing): a 63 A three-phase grid
 * connection shared by ten 32 A chargers, whose cars come and go at random. Ten chargers at
 * full power would draw 220 kW of the 43 kW; all ten at the minimum (6 A) fit (6.3 A each).
 */
export const PROOF_SITE = { maxCurrentA: 63, phases: 3 as const, chargers: 10, chargerMaxCurrentA: 32 };
const VOLTS = 230;
export const WATTS_PER_AMPERE = PROOF_SITE.phases * VOLTS;
const CHARGER_POWER_W = PROOF_SITE.chargerMaxCurrentA * WATTS_PER_AMPERE;

/**
 * B, the settle time: how long after a session starts the balancer may take until the
 * profiles it sends are in force (the new car draws full power meanwhile). Chosen
 * generously; the run reports what it measured.
 */
export const SETTLE_MS = 5000;

export const PROOF_RULES: SiteRunOptions['rules'] = {
  limitW: PROOF_SITE.maxCurrentA * WATTS_PER_AMPERE,
  wattsPerAmpere: WATTS_PER_AMPERE,
  minimumA: 6,
  settleMs: SETTLE_MS,
  // The site is never over-subscribed (10 × 6 A ≤ 63 A), so a settled session should not wait at all; this bounds any wait.
  starvationMs: 2 * SETTLE_MS,
  // Each meter reports whole watts.
  toleranceW: PROOF_SITE.chargers,
};

/** Cars stay 20 s on average and the next comes 5 s later: about eight sessions run at a time. */
export const PROOF_RUN = { meanSessionMs: 20_000, meanIdleMs: 5_000, sampleIntervalMs: 100 };

/** The chargers of the site, simulated: 32 A on three phases, a MeterValues a second. */
export const PROOF_CHARGER = { powerW: CHARGER_POWER_W, meterValueIntervalMs: 1000 };

/** The most sessions that ran at once. */
export function peakSessions(sessions: readonly RunSession[]): number {
  return Math.max(0, ...sessions.map((s) => sessions.filter((other) => other.start <= s.start && other.end > s.start).length));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What the run measured, for the test's output (CI's log keeps it). */
export function summary(run: SiteRun, report: SiteReport = run.report): string {
  const settled = report.sessions.filter((s) => s.minA !== undefined);
  const profiles = run.commands.filter((c) => c.action === 'SetChargingProfile').length;
  const waited = report.chargers.map((c) => c.waitingMs);
  return [
    `site run of ${seconds(run.endedAt - run.startedAt)}: ${run.sessions.length} sessions, at most ${peakSessions(run.sessions)} at once, ${profiles} SetChargingProfile received`,
    `limit ${report.limitW} W, highest total ${Math.round(report.maxTotalW)} W`,
    `overshoots: ${report.overshoots.length}, longest ${seconds(Math.max(0, ...report.overshoots.map((o) => o.durationMs)))}, `
      + `highest ${Math.round(Math.max(0, ...report.overshoots.map((o) => o.peakW)))} W; measured B (longest over the limit after a session start, or the start of an excused window) ${seconds(report.longestReactionMs)}, bound ${seconds(SETTLE_MS)}`,
    `settled sessions' least current ${Math.min(...settled.map((s) => s.minA!)).toFixed(1)} A, their mean ${(settled.reduce((sum, s) => sum + s.meanA!, 0) / Math.max(1, settled.length)).toFixed(1)} A; `
      + `longest wait at 0 A once settled ${seconds(Math.max(0, ...report.sessions.map((s) => s.longestWaitMs)))}; time waiting per charger ${waited.map(seconds).join(', ')}`,
    `violations: ${report.violations.length}`,
  ].join('\n');
}

/** The violations and the run around the first of them, for a failing assertion's message. */
export function violationsText(run: SiteRun, report: SiteReport = run.report): string {
  const first = report.violations[0];
  if (!first) return 'no violations';
  const listed = report.violations.slice(0, 20).map((v) => `${v.kind} at +${seconds(v.at - run.startedAt)}${v.charger === undefined ? '' : ` charger ${v.charger}`}: ${v.detail}`);
  return [...listed, '--- around the first:', runExcerpt(run, first.at, 3000, WATTS_PER_AMPERE)].join('\n');
}
