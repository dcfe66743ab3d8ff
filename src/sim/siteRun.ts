import { setTimeout as sleep } from 'node:timers/promises';
import { exponential, seededRandom, type Random } from './random.ts';
import { analyseSiteRun, type SessionSpan, type SiteReport, type SiteRules, type SiteSample } from './siteAnalysis.ts';
import type { ChargerSimulator } from './simulator.ts';

/** A connected, booted simulator with the RFID card its local sessions start with (one session at a time per card). */
export interface SiteCharger {
  simulator: ChargerSimulator;
  idTag: string;
}

export interface SiteRunOptions {
  chargers: readonly SiteCharger[];
  durationMs: number;
  /** Seeds each charger's own generator, so a charger's sessions are the same whatever the others do. */
  random: Random;
  /** Mean length of a session and of the idle time between two (both exponentially distributed). */
  meanSessionMs: number;
  meanIdleMs: number;
  /** How often every charger's power is read; default 100 ms. */
  sampleIntervalMs?: number;
  /** How the run is judged; `report` has no excused windows (see analyseSiteRun to judge again with some). */
  rules: Omit<SiteRules, 'excused'>;
  /** After the run, how long a running session may wait for its charger to be connected again to be stopped; default 30 s. */
  stopGraceMs?: number;
}

/** A session as the run drove it; `error` when its start or stop failed (a failed start lasts until the failure). */
export interface RunSession extends SessionSpan {
  transactionId?: number;
  error?: string;
}

/** A charging-profile command a charger received, as it arrived. */
export interface ReceivedCommand {
  at: number;
  charger: number;
  action: 'SetChargingProfile' | 'ClearChargingProfile';
  payload: unknown;
}

/** A time a charger's WebSocket was not open: from its close to the first sample that saw it open again. */
export interface OfflineGap {
  charger: number;
  from: number;
  to: number;
}

export interface SiteRun {
  startedAt: number;
  endedAt: number;
  samples: SiteSample[];
  sessions: RunSession[];
  commands: ReceivedCommand[];
  offline: OfflineGap[];
  report: SiteReport;
}

const PROFILE_ACTIONS = new Set(['SetChargingProfile', 'ClearChargingProfile']);
const CONNECTED_POLL_MS = 100;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Waits `ms`, or until the deadline if that is sooner; false when the deadline has passed. */
async function pause(ms: number, deadline: number): Promise<boolean> {
  const wait = Math.min(ms, deadline - Date.now());
  if (wait > 0) await sleep(wait);
  return Date.now() < deadline;
}

/** Waits (at most until the deadline) for the charger to be connected. */
async function connected(simulator: ChargerSimulator, deadline: number): Promise<boolean> {
  while (!simulator.connected) {
    if (Date.now() >= deadline) return false;
    await sleep(CONNECTED_POLL_MS);
  }
  return true;
}

/**
 * A site of chargers whose cars come and go at random: each charger alternates idle and
 * charging (a local RFID session) for `durationMs`, while every charger's power is read
 * from its own meter every `sampleIntervalMs`. A charger that is not connected starts and
 * stops nothing until it is again (its car keeps charging under the profile it holds).
 * Sessions still running at the end are stopped.
 */
export async function runSite(options: SiteRunOptions): Promise<SiteRun> {
  const { chargers, durationMs, meanSessionMs, meanIdleMs, rules } = options;
  const sampleIntervalMs = options.sampleIntervalMs ?? 100;
  const stopGraceMs = options.stopGraceMs ?? 30_000;
  const randoms = chargers.map(() => seededRandom(Math.floor(options.random() * 2 ** 32)));
  const samples: SiteSample[] = [];
  const sessions: RunSession[] = [];
  const commands: ReceivedCommand[] = [];
  const offline: OfflineGap[] = [];
  const openGaps = new Map<number, OfflineGap>();

  const openGap = (charger: number, at: number) => {
    if (!openGaps.has(charger)) openGaps.set(charger, { charger, from: at, to: at });
  };
  const listeners = chargers.map(({ simulator }, charger) => {
    const call = (action: string, payload: unknown) => {
      if (PROFILE_ACTIONS.has(action)) commands.push({ at: Date.now(), charger, action: action as ReceivedCommand['action'], payload });
    };
    // Heard at once, so that a reconnect quicker than a sample still shows.
    const close = () => openGap(charger, Date.now());
    simulator.on('call', call);
    simulator.on('close', close);
    return { call, close };
  });
  const sample = () => {
    const at = Date.now();
    samples.push({ at, powerW: chargers.map(({ simulator }) => simulator.connector(1).powerW) });
    chargers.forEach(({ simulator }, charger) => {
      if (!simulator.connected) return openGap(charger, at);
      const gap = openGaps.get(charger);
      if (gap) {
        openGaps.delete(charger);
        offline.push({ ...gap, to: at });
      }
    });
  };

  const startedAt = Date.now();
  const deadline = startedAt + durationMs;
  sample();
  const sampler = setInterval(sample, sampleIntervalMs);
  const running = new Map<number, RunSession>();
  const drive = async (charger: number) => {
    const { simulator, idTag } = chargers[charger]!;
    const random = randoms[charger]!;
    while (await pause(exponential(random, meanIdleMs), deadline)) {
      if (!(await connected(simulator, deadline))) return;
      const session: RunSession = { charger, start: Date.now(), end: Infinity };
      sessions.push(session);
      try {
        session.transactionId = (await simulator.startLocalSession(1, idTag)).transactionId;
      } catch (error) {
        session.end = Date.now();
        session.error = `start: ${describe(error)}`;
        continue;
      }
      running.set(charger, session);
      if (!(await pause(exponential(random, meanSessionMs), deadline)) || !(await connected(simulator, deadline))) return;
      await stop(session, simulator);
    }
  };
  const stop = async (session: RunSession, simulator: ChargerSimulator) => {
    running.delete(session.charger);
    session.end = Date.now();
    await simulator.stopSession(1).catch((error: unknown) => {
      session.error = `stop: ${describe(error)}`;
    });
  };
  try {
    await Promise.all(chargers.map((_, charger) => drive(charger)));
  } finally {
    clearInterval(sampler);
    listeners.forEach(({ call, close }, charger) => {
      chargers[charger]!.simulator.off('call', call);
      chargers[charger]!.simulator.off('close', close);
    });
  }
  const endedAt = Date.now();
  for (const gap of openGaps.values()) offline.push({ ...gap, to: endedAt });
  await Promise.all([...running.values()].map(async (session) => {
    const { simulator } = chargers[session.charger]!;
    if (await connected(simulator, Date.now() + stopGraceMs)) return stop(session, simulator);
    session.error = 'stop: the charger was not connected again after the run';
  }));
  for (const session of sessions) session.end = Math.min(session.end, endedAt);
  sessions.sort((a, b) => a.start - b.start);
  offline.sort((a, b) => a.from - b.from);
  const report = analyseSiteRun(samples, sessions, endedAt, rules);
  return { startedAt, endedAt, samples, sessions, commands, offline, report };
}

/**
 * The run around one moment as text, for a failure's message: each sample's total and
 * every charger's current, and the profiles the chargers received then.
 */
export function runExcerpt(run: SiteRun, at: number, spanMs: number, wattsPerAmpere: number): string {
  const from = at - spanMs;
  const to = at + spanMs;
  const t = (moment: number) => `+${((moment - run.startedAt) / 1000).toFixed(1)} s`;
  const lines = run.samples.filter((s) => s.at >= from && s.at <= to).map((s) => {
    const currents = s.powerW.map((w) => (w / wattsPerAmpere).toFixed(1).padStart(5)).join(' ');
    return `${t(s.at)}  total ${s.powerW.reduce((sum, w) => sum + w, 0)} W  A: ${currents}`;
  });
  const events: [number, string][] = [
    ...run.sessions.filter((s) => s.start >= from && s.start <= to).map((s): [number, string] => [s.start, `charger ${s.charger} session starts`]),
    ...run.sessions.filter((s) => s.end >= from && s.end <= to).map((s): [number, string] => [s.end, `charger ${s.charger} session ends`]),
    ...run.commands.filter((c) => c.at >= from && c.at <= to).map((c): [number, string] => [c.at, `charger ${c.charger} received ${c.action} ${JSON.stringify(c.payload)}`]),
  ];
  return [...lines, ...events.sort((a, b) => a[0] - b[0]).map(([moment, text]) => `${t(moment)}  ${text}`)].join('\n');
}
