/**
 * The balancing part (e) of `npm run bench`: how long a site's load balancer takes to bring
 * its chargers to their new limits after a session starts. For each site size, on a server of
 * its own: a charge point whose grid connection is too small for all its chargers at full
 * current, that many OCPP 1.6 chargers on it (the simulator, which accepts a profile the moment
 * it arrives), and sessions started one at a time. Each measured StartTransaction is timed from
 * the moment it is sent until the last SetChargingProfile it caused was accepted; the
 * StopTransaction of the cycle that frees a charger for the next start is timed the same way.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { simulateMany, type ChargerSimulator } from '../src/sim/index.ts';
import { meterCpu, type CpuSplit } from './cpu.ts';
import type { ServerFactory } from './measure.ts';
import { quantile } from './stats.ts';

export interface BalancingOptions {
  /** Chargers on the site, one site size after another. */
  sizes: readonly number[];
  /** Measured StartTransactions per site size. */
  starts: number;
}

/** What one StartTransaction (or StopTransaction) set off, once the site was quiet again. */
interface Settling {
  /** SetChargingProfile answers the chargers sent after it. */
  profiles: number;
  /** Chargers that received at least one. */
  chargers: number;
  /** Answers other than Accepted, by where the charger stood when the profile came. */
  refused: Refusals;
  /** From sending it to the first and to the last answer; undefined when no profile came. */
  firstMs: number | undefined;
  lastMs: number | undefined;
  /** Profiles still arriving when the bench stopped waiting. */
  unsettled: boolean;
}

/** The settlings of one kind of event at one site size. */
export interface SettlingFigures {
  count: number;
  /** Events after which no charger received a SetChargingProfile. */
  withoutProfiles: number;
  unsettled: number;
  /** Of the events with profiles, ms from sending the event until the last was accepted. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Until the first profile was accepted, median: the balancer's reaction before it sends anything. */
  firstP50Ms: number;
  profiles: { mean: number; min: number; max: number };
  chargers: { mean: number; min: number; max: number };
  refused: Refusals;
}

export interface BalancingResult {
  chargers: number;
  /** The site's grid connection, amperes per phase (3 phases, no reserve). */
  siteCurrentA: number;
  /** SetChargingProfile answers while the first chargers − 1 sessions started, and how long from the first start until the site was quiet. */
  warmup: { profiles: number; seconds: number; unsettled: boolean };
  start: SettlingFigures;
  stop: SettlingFigures;
  /**
   * After each measured start had settled: the chargers' limits added up, amperes per phase
   * (a running charger without a profile counted at its maximum); the highest sum seen.
   */
  peakLimitSumA: number | undefined;
  /** Cores busy during the measured cycles: server / bench (the simulators) / other processes. */
  cpu: CpuSplit;
  /** What the simulators could not do, by message (e.g. a background call that failed). */
  warnings: Record<string, number>;
  /** Wall time for this site size, server start to close. */
  seconds: number;
}

type Progress = (line: string) => void;

/**
 * Each session is offered less than its charger's maximum but at least the 6 A minimum:
 * N sessions get 10 A per phase each, N − 1 get 10 N / (N − 1) A, which differs by at least
 * 0.1 A (the step the balancer's limits come in) for every N up to 101, so a start changes every
 * running session's limit rather than only the new one's.
 */
export const SITE_CURRENT_PER_CHARGER_A = 10;
export const CHARGER_MAX_CURRENT_A = 32;
const SITE_PHASES = 3;
const VOLTS = 230;
/** No SetChargingProfile for this long after the last one: the site has settled. */
export const QUIET_MS = 750;
/** How long the first SetChargingProfile may take to come before an event counts as without profiles. */
export const FIRST_PROFILE_MS = 2_000;
/** An event still followed by profiles after this many ms is left unsettled (a balancer that does not come to rest). */
const SETTLE_LIMIT_MS = 15_000;
const WARMUP_SETTLE_LIMIT_MS = 60_000;
const POLL_MS = 5;
const HTTP_TIMEOUT_MS = 10_000;
/** HTTP requests in flight while the site is set up. */
const SETUP_CONCURRENCY = 8;
const ADMIN = { username: 'admin@flexicharge.local', password: 'bench-password-1' };

/** The admin HTTP API of the server under test. */
class AdminApi {
  private constructor(private readonly httpUrl: string, private readonly token: string) {}

  static async signIn(httpUrl: string): Promise<AdminApi> {
    const body = await send(httpUrl, 'POST', '/admin/sign-in', undefined, ADMIN) as { accessToken: string };
    return new AdminApi(httpUrl, body.accessToken);
  }

  request(method: string, path: string, body?: object): Promise<Record<string, unknown>> {
    return send(this.httpUrl, method, path, this.token, body);
  }
}

async function send(httpUrl: string, method: string, path: string, token: string | undefined, body?: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${httpUrl}${path}`, {
    method,
    headers: { ...(body && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    body: body && JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Runs `work` for 0..count-1, at most `concurrency` at a time. */
async function pool(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await work(next++);
  }));
}

const serialNumber = (size: number, index: number) => `balance-${size}-${String(index + 1).padStart(3, '0')}`;
const idTag = (size: number, index: number) => `BAL${size}X${String(index + 1).padStart(4, '0')}`;

/** A site of `size` chargers at 32 A each, sharing SITE_CURRENT_PER_CHARGER_A × size per phase; a card per charger. */
async function createSite(api: AdminApi, size: number): Promise<number> {
  const location = [57.7815, 14.1562];
  const site = await api.request('POST', '/chargePoints', { name: `Balancing bench, ${size} chargers`, location });
  const chargePointId = site.chargePointID as number;
  await api.request('PUT', `/chargePoints/${chargePointId}/capacity`, { maxCurrentA: size * SITE_CURRENT_PER_CHARGER_A, phases: SITE_PHASES, reserveCurrentA: 0 });
  await pool(size, SETUP_CONCURRENCY, async (index) => {
    const charger = await api.request('POST', '/chargers', { chargePointID: chargePointId, location, serialNumber: serialNumber(size, index) });
    await api.request('PUT', `/chargers/${charger.connectorID as number}/supply`, { maxCurrentA: CHARGER_MAX_CURRENT_A, phaseConnection: 'L1L2L3' });
    await api.request('POST', '/idTags', { idTag: idTag(size, index) });
  });
  return chargePointId;
}

/**
 * Where a charger stood when a SetChargingProfile came: its StartTransaction sent but not yet
 * answered; answered in the same read as the profile, so the simulator had not yet taken the
 * transactionId from the answer; no transaction at all; or in its transaction.
 */
export type ChargerMoment = 'beforeStartAnswer' | 'startAnswerUnread' | 'noTransaction' | 'inTransaction';
export type Refusals = Partial<Record<ChargerMoment, number>>;

interface ProfileAnswer {
  at: number;
  charger: number;
  status: string;
  moment: ChargerMoment;
}

interface ReceivedProfile {
  limit: { limitA: number; purpose: string } | undefined;
  moment: ChargerMoment;
}

/** A limit as amperes per phase; a limit in watts over the phases it names (three when it names none). */
function amperes(payload: unknown): { limitA: number; purpose: string } | undefined {
  const profile = (payload as { csChargingProfiles?: { chargingProfilePurpose?: string; chargingSchedule?: { chargingRateUnit?: string; chargingSchedulePeriod?: { limit?: number; numberPhases?: number }[] } } }).csChargingProfiles;
  const period = profile?.chargingSchedule?.chargingSchedulePeriod?.[0];
  if (!profile?.chargingProfilePurpose || typeof period?.limit !== 'number') return undefined;
  const limitA = profile.chargingSchedule!.chargingRateUnit === 'W' ? period.limit / (VOLTS * (period.numberPhases ?? SITE_PHASES)) : period.limit;
  return { limitA, purpose: profile.chargingProfilePurpose };
}

/** A frame as an array, or undefined for anything else (the simulator warns of those itself). */
function parseFrame(text: string): unknown[] | undefined {
  try {
    const frame: unknown = JSON.parse(text);
    return Array.isArray(frame) ? frame : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the site's simulators sent and received, timed in this process: when each sent its
 * StartTransaction and StopTransaction, every answer to a SetChargingProfile, and the limit
 * each holds (its first schedule period; the balancer's profiles have one).
 */
class SiteWatch {
  readonly answers: ProfileAnswer[] = [];
  readonly lastSent = new Map<string, number>();
  readonly warnings: Record<string, number> = {};
  /** Per charger, the limit of the profile it accepted last, while it holds it. */
  readonly limits = new Map<number, { limitA: number; purpose: string }>();
  /**
   * The simulator's onFrame for charger `index`; `holdsTransaction` tells whether it has the
   * transactionId of a running session (called before the simulator handles the frame).
   */
  frames(index: number, holdsTransaction: () => boolean): (direction: 'in' | 'out', text: string) => void {
    // SetChargingProfile calls received and not yet answered, by message id.
    const pending = new Map<unknown, ReceivedProfile>();
    let unansweredStart: unknown;
    let starting = false;
    const moment = (): ChargerMoment => {
      if (unansweredStart !== undefined) return 'beforeStartAnswer';
      if (holdsTransaction()) return 'inTransaction';
      return starting ? 'startAnswerUnread' : 'noTransaction';
    };
    return (direction, text) => {
      const at = performance.now();
      const frame = parseFrame(text);
      if (!frame) return;
      if (direction === 'in') {
        if (frame[0] === 2 && frame[2] === 'SetChargingProfile') pending.set(frame[1], { limit: amperes(frame[3]), moment: moment() });
        else if (frame[0] !== 2 && frame[1] === unansweredStart) unansweredStart = undefined;
        return;
      }
      if (frame[0] === 2 && (frame[2] === 'StartTransaction' || frame[2] === 'StopTransaction')) {
        this.lastSent.set(`${index}:${frame[2]}`, at);
        if (frame[2] === 'StartTransaction') {
          unansweredStart = frame[1];
          starting = true;
        } else {
          starting = false;
        }
        // The charger forgets a TxProfile when its transaction ends (OCPP 1.6 §3.13.4).
        if (frame[2] === 'StopTransaction' && this.limits.get(index)?.purpose === 'TxProfile') this.limits.delete(index);
        return;
      }
      if ((frame[0] !== 3 && frame[0] !== 4) || !pending.has(frame[1])) return;
      const { limit, moment: received } = pending.get(frame[1])!;
      pending.delete(frame[1]);
      const status = frame[0] === 3 ? String((frame[2] as { status?: unknown }).status) : `CALLERROR ${String(frame[2])}`;
      if (status === 'Accepted' && limit) this.limits.set(index, limit);
      this.answers.push({ at, charger: index, status, moment: received });
    };
  }

  warn(message: string): void {
    // The identity is left out, so that one kind of warning counts as one line.
    const kind = message.replace(/^[^:]*: /, '');
    this.warnings[kind] = (this.warnings[kind] ?? 0) + 1;
  }

  /** When charger `index` last sent `action`. */
  sentAt(index: number, action: 'StartTransaction' | 'StopTransaction'): number {
    const at = this.lastSent.get(`${index}:${action}`);
    if (at === undefined) throw new Error(`charger ${index + 1} has not sent a ${action}`);
    return at;
  }

  /**
   * Waits until no SetChargingProfile has been answered for QUIET_MS (or, when none came, for
   * `firstWithinMs` after `from`), at most `limitMs`; then tells what came after `from`.
   */
  async settle(from: number, firstWithinMs: number, limitMs: number): Promise<Settling> {
    for (;;) {
      const now = performance.now();
      const last = this.answers.at(-1)?.at;
      const quiet = last === undefined || last < from ? now - from >= firstWithinMs : now - last >= QUIET_MS;
      if (quiet || now - from >= limitMs) return this.since(from, !quiet);
      await sleep(POLL_MS);
    }
  }

  private since(from: number, unsettled: boolean): Settling {
    const after = this.answers.filter((answer) => answer.at >= from);
    const refused: Refusals = {};
    for (const answer of after) if (answer.status !== 'Accepted') refused[answer.moment] = (refused[answer.moment] ?? 0) + 1;
    return {
      profiles: after.length,
      chargers: new Set(after.map((answer) => answer.charger)).size,
      refused,
      firstMs: after.length ? after[0]!.at - from : undefined,
      lastMs: after.length ? after.at(-1)!.at - from : undefined,
      unsettled,
    };
  }

  /** The running sessions' limits added up; one without a profile counts at its charger's maximum. */
  limitSum(running: readonly number[]): number {
    return running.reduce((sum, index) => sum + (this.limits.get(index)?.limitA ?? CHARGER_MAX_CURRENT_A), 0);
  }
}

export function addRefusals(all: readonly Refusals[]): Refusals {
  const sum: Refusals = {};
  for (const refusals of all) for (const [moment, n] of Object.entries(refusals) as [ChargerMoment, number][]) sum[moment] = (sum[moment] ?? 0) + n;
  return sum;
}

function spread(values: number[]): { mean: number; min: number; max: number } {
  if (values.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { mean: values.reduce((sum, n) => sum + n, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

function figures(settlings: Settling[]): SettlingFigures {
  const timed = settlings.flatMap((s) => (s.lastMs === undefined ? [] : [s.lastMs]));
  const sorted = Float64Array.from(timed).sort();
  return {
    count: settlings.length,
    withoutProfiles: settlings.filter((s) => s.profiles === 0).length,
    unsettled: settlings.filter((s) => s.unsettled).length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    firstP50Ms: quantile(Float64Array.from(settlings.flatMap((s) => (s.firstMs === undefined ? [] : [s.firstMs]))).sort(), 0.5),
    profiles: spread(settlings.map((s) => s.profiles)),
    chargers: spread(settlings.map((s) => s.chargers)),
    refused: addRefusals(settlings.map((s) => s.refused)),
  };
}

/** One site size on a server of its own. */
async function measureSite(start: ServerFactory, size: number, starts: number, progress: Progress): Promise<Omit<BalancingResult, 'seconds'>> {
  const began = performance.now();
  const fresh = await start(0);
  let simulators: ChargerSimulator[] = [];
  try {
    const { httpUrl, chargerUrl } = fresh.server;
    if (!httpUrl) throw new Error('the balancing part needs the server\'s HTTP API');
    const api = await AdminApi.signIn(httpUrl);
    progress(`${size} chargers: creating the site (${size * SITE_CURRENT_PER_CHARGER_A} A per phase, chargers at ${CHARGER_MAX_CURRENT_A} A) and connecting the chargers`);
    await createSite(api, size);
    const watch = new SiteWatch();
    simulators = await simulateMany(size, (index) => ({
      url: `${chargerUrl}/${serialNumber(size, index)}`,
      dialect: 'ocpp1.6',
      // No readings: only session starts and stops move the limits while they are timed.
      meterValueIntervalMs: 0,
      idTag: idTag(size, index),
      onFrame: watch.frames(index, () => simulators[index]?.connector(1).transactionId !== undefined),
    }));
    for (const simulator of simulators) simulator.on('warning', (message) => watch.warn(message));

    progress(`${size} chargers: warm-up, ${size - 1} sessions started one after another`);
    const warmupFrom = performance.now();
    const answeredBefore = watch.answers.length;
    for (let index = 0; index < size - 1; index++) await simulators[index]!.startLocalSession();
    // Bounded from the last start, however long the starts took on a busy machine.
    const warm = await watch.settle(watch.sentAt(size - 2, 'StartTransaction'), FIRST_PROFILE_MS, WARMUP_SETTLE_LIMIT_MS);
    const warmup = { profiles: watch.answers.length - answeredBefore, seconds: (performance.now() - warmupFrom) / 1000, unsettled: warm.unsettled };

    progress(`${size} chargers: ${starts} measured starts (with a stop before each but the first)`);
    const running = new Set(Array.from({ length: size - 1 }, (_, index) => index));
    const startSettlings: Settling[] = [];
    const stopSettlings: Settling[] = [];
    let peakLimitSumA: number | undefined;
    const stopMeter = await meterCpu(fresh.server);
    // The charger left free by the warm-up starts first; then each charger in turn is stopped and started again.
    for (let cycle = 0; cycle < starts; cycle++) {
      const index = cycle === 0 ? size - 1 : (cycle - 1) % size;
      if (running.has(index)) {
        await simulators[index]!.stopSession();
        running.delete(index);
        stopSettlings.push(await watch.settle(watch.sentAt(index, 'StopTransaction'), FIRST_PROFILE_MS, SETTLE_LIMIT_MS));
      }
      await simulators[index]!.startLocalSession();
      running.add(index);
      const settled = await watch.settle(watch.sentAt(index, 'StartTransaction'), FIRST_PROFILE_MS, SETTLE_LIMIT_MS);
      startSettlings.push(settled);
      if (!settled.unsettled) peakLimitSumA = Math.max(peakLimitSumA ?? 0, watch.limitSum([...running]));
    }
    const cpu = await stopMeter();
    return {
      chargers: size,
      siteCurrentA: size * SITE_CURRENT_PER_CHARGER_A,
      warmup,
      start: figures(startSettlings),
      stop: figures(stopSettlings),
      peakLimitSumA,
      cpu,
      warnings: watch.warnings,
    };
  } finally {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    await fresh.close();
    progress(`${size} chargers: done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
}

export async function measureBalancing(start: ServerFactory, options: BalancingOptions, progress: Progress): Promise<BalancingResult[]> {
  const results: BalancingResult[] = [];
  for (const size of options.sizes) {
    const began = performance.now();
    const result = await measureSite(start, size, options.starts, progress);
    results.push({ ...result, seconds: (performance.now() - began) / 1000 });
  }
  return results;
}
