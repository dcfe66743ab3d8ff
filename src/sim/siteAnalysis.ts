/**
 * What a simulated site run shows about the load balancer, judged from the power each
 * charger drew (sampled from the simulators' own meters). Pure: the run is passed in.
 *
 * The rules, with B = `settleMs`, a bound on how long the balancer takes to react:
 * - **Limit.** The sum of the chargers' power stays within the site's limit, except within
 *   B after a session starts (a new car draws the charger's full power until its profile
 *   arrives) and within an excused window (e.g. a node of the central system killed).
 * - **Minimum.** A session that has run longer than B draws either at least the minimum
 *   (6 A, IEC 61851) or nothing (it waits).
 * - **Waiting.** A session waits only while the running sessions could not all get the
 *   minimum (running × 6 A > the site's current) at some moment in the last B: a balancer
 *   B behind may still act on that moment.
 * - **Starvation.** No session waits, once settled, longer than `starvationMs` at a stretch.
 * The cars are assumed to want power throughout (none fills its battery during the run).
 */

/** The chargers' power at one moment, by charger index. */
export interface SiteSample {
  at: number;
  powerW: readonly number[];
}

/** One session of one charger, in ms since the epoch; it drew power (or waited) from `start` to `end`. */
export interface SessionSpan {
  charger: number;
  start: number;
  end: number;
}

/** A stretch of time in which overshooting and waiting are not held against the balancer, and why. */
export interface ExcusedWindow {
  from: number;
  to: number;
  why: string;
}

export interface SiteRules {
  /** The site's limit, W (a current limit as A × phases × 230 V). */
  limitW: number;
  /** W per ampere per phase of a charger: phases × 230 V (690 for three phases). */
  wattsPerAmpere: number;
  /** The least current a car charges with, A (6). */
  minimumA: number;
  /** B: how long the balancer may take to react, ms. */
  settleMs: number;
  /** How long a settled session may wait at 0 A at a stretch, ms. */
  starvationMs: number;
  /** The meters report whole W: the total may exceed the limit by this much from rounding alone. */
  toleranceW: number;
  excused?: readonly ExcusedWindow[];
}

/** A stretch of consecutive samples whose total exceeded the limit. */
export interface Overshoot {
  start: number;
  durationMs: number;
  peakW: number;
  /** Every moment of it lay within B after a session start or in an excused window. */
  excused: boolean;
}

export type ViolationKind = 'overshoot' | 'belowMinimum' | 'waiting' | 'starved';

export interface Violation {
  kind: ViolationKind;
  at: number;
  /** The charger concerned; absent for the site's total. */
  charger?: number;
  detail: string;
}

export interface SessionReport extends SessionSpan {
  /** Least and time-weighted mean current once settled, while the site was not over-subscribed; undefined without such a moment. */
  minA: number | undefined;
  meanA: number | undefined;
  /** Time settled at 0 A, and the longest stretch of it. */
  waitedMs: number;
  longestWaitMs: number;
}

export interface ChargerReport {
  /** Time with a session running. */
  sessionMs: number;
  /** Of that, time drawing power, and time waiting at 0 A. */
  chargingMs: number;
  waitingMs: number;
}

export interface SiteReport {
  limitW: number;
  maxTotalW: number;
  overshoots: Overshoot[];
  /** Of the over-limit moments, the longest time since the last session start (or excused window start): the measured B. */
  longestReactionMs: number;
  sessions: SessionReport[];
  chargers: ChargerReport[];
  violations: Violation[];
}

/** Current below this counts as none: a meter reports whole watts. */
const ZERO_A = 0.01;

/** How long sample `i` holds: until the next one, the last one until `end`. */
function holds(samples: readonly SiteSample[], i: number, end: number): number {
  return Math.max(0, (samples[i + 1]?.at ?? end) - samples[i]!.at);
}

const total = (sample: SiteSample) => sample.powerW.reduce((sum, w) => sum + w, 0);

export function analyseSiteRun(samples: readonly SiteSample[], sessions: readonly SessionSpan[], end: number, rules: SiteRules): SiteReport {
  const { limitW, wattsPerAmpere, minimumA, settleMs, toleranceW } = rules;
  const excused = rules.excused ?? [];
  const availableA = limitW / wattsPerAmpere;
  const starts = sessions.map((s) => s.start).sort((a, b) => a - b);
  const changes = sessions.flatMap((s) => [s.start, s.end]).sort((a, b) => a - b);
  const running = (at: number) => sessions.filter((s) => at >= s.start && at < s.end);
  const overSubscribed = (at: number) => running(at).length * minimumA > availableA + ZERO_A;
  const inExcuse = (at: number) => excused.some((w) => at >= w.from && at <= w.to);
  const latestBefore = (moments: readonly number[], at: number) => moments.reduce((latest, m) => (m <= at && m > latest ? m : latest), -Infinity);
  /** Since when the over-limit moment `at` is explained, if it is. */
  const reactionStart = (at: number) => Math.max(latestBefore(starts, at), ...excused.filter((w) => at >= w.from && at <= w.to).map((w) => w.from));

  const violations: Violation[] = [];
  const overshoots: Overshoot[] = [];
  let maxTotalW = 0;
  let longestReactionMs = 0;
  let episode: Overshoot | undefined;
  samples.forEach((sample, i) => {
    const totalW = total(sample);
    maxTotalW = Math.max(maxTotalW, totalW);
    if (totalW <= limitW + toleranceW) {
      episode = undefined;
      return;
    }
    const reactionMs = sample.at - reactionStart(sample.at) + holds(samples, i, end);
    longestReactionMs = Math.max(longestReactionMs, reactionMs);
    const explained = reactionMs <= settleMs;
    if (!episode) {
      episode = { start: sample.at, durationMs: 0, peakW: 0, excused: true };
      overshoots.push(episode);
    }
    episode.durationMs += holds(samples, i, end);
    episode.peakW = Math.max(episode.peakW, totalW);
    if (!explained && episode.excused) {
      episode.excused = false;
      violations.push({ kind: 'overshoot', at: sample.at, detail: `${Math.round(totalW)} W > ${limitW} W, ${Math.round(reactionMs)} ms after the last session start` });
    }
  });

  const sessionReports = sessions.map((session) => judgeSession(session, samples, end, rules, {
    settledAt: (at) => at >= session.start + settleMs && !inExcuse(at),
    overSubscribed,
    // The running sessions change only at starts and ends: those in the last B, and its beginning, are every case.
    overSubscribedLately: (at) => [at - settleMs, ...changes.filter((m) => m > at - settleMs && m <= at)].some(overSubscribed),
    violations,
  }));

  const chargers: ChargerReport[] = Array.from({ length: samples[0]?.powerW.length ?? 0 }, () => ({ sessionMs: 0, chargingMs: 0, waitingMs: 0 }));
  samples.forEach((sample, i) => {
    const heldMs = holds(samples, i, end);
    for (const session of running(sample.at)) {
      const charger = chargers[session.charger];
      if (!charger) continue;
      charger.sessionMs += heldMs;
      if ((sample.powerW[session.charger] ?? 0) / wattsPerAmpere < ZERO_A) charger.waitingMs += heldMs;
      else charger.chargingMs += heldMs;
    }
  });

  violations.sort((a, b) => a.at - b.at);
  return { limitW, maxTotalW, overshoots, longestReactionMs, sessions: sessionReports, chargers, violations };
}

interface SessionJudge {
  settledAt(at: number): boolean;
  overSubscribed(at: number): boolean;
  overSubscribedLately(at: number): boolean;
  violations: Violation[];
}

function judgeSession(session: SessionSpan, samples: readonly SiteSample[], end: number, rules: SiteRules, judge: SessionJudge): SessionReport {
  const { wattsPerAmpere, minimumA, starvationMs } = rules;
  let minA: number | undefined;
  let weightedA = 0;
  let weightMs = 0;
  let waitedMs = 0;
  let longestWaitMs = 0;
  let waitStretchMs = 0;
  // One violation of a kind per session is enough to tell; the report has the rest.
  let belowMinimumTold = false;
  let waitingTold = false;
  let starvedTold = false;
  samples.forEach((sample, i) => {
    if (sample.at < session.start || sample.at >= session.end) return;
    const heldMs = Math.min(holds(samples, i, end), session.end - sample.at);
    if (!judge.settledAt(sample.at)) {
      waitStretchMs = 0;
      return;
    }
    const currentA = (sample.powerW[session.charger] ?? 0) / wattsPerAmpere;
    const waiting = currentA < ZERO_A;
    if (waiting) {
      waitedMs += heldMs;
      waitStretchMs += heldMs;
      longestWaitMs = Math.max(longestWaitMs, waitStretchMs);
      if (waitStretchMs > starvationMs && !starvedTold) {
        starvedTold = true;
        judge.violations.push({ kind: 'starved', at: sample.at, charger: session.charger, detail: `waiting at 0 A for ${Math.round(waitStretchMs)} ms at a stretch (bound ${starvationMs} ms)` });
      }
    } else waitStretchMs = 0;
    if (!waiting && currentA < minimumA - ZERO_A && !belowMinimumTold) {
      belowMinimumTold = true;
      judge.violations.push({ kind: 'belowMinimum', at: sample.at, charger: session.charger, detail: `${currentA.toFixed(2)} A, below the ${minimumA} A minimum` });
    }
    if (waiting && !judge.overSubscribedLately(sample.at) && !waitingTold) {
      waitingTold = true;
      judge.violations.push({ kind: 'waiting', at: sample.at, charger: session.charger, detail: 'at 0 A while every running session could have had the minimum' });
    }
    if (!judge.overSubscribed(sample.at)) {
      minA = Math.min(minA ?? Infinity, currentA);
      weightedA += currentA * heldMs;
      weightMs += heldMs;
    }
  });
  return { ...session, minA, meanA: weightMs > 0 ? weightedA / weightMs : undefined, waitedMs, longestWaitMs };
}
