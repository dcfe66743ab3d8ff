import type { ServerChild } from './childServer.ts';
import { meterCpu, type CpuSplit } from './cpu.ts';
import { addFailures, closeFleet, connectFleet, meterValuesUntil, runHeartbeats, runMeterValues, runStartStop, type FailureCounts, type HeartbeatRun } from './load.ts';
import { quantile } from './stats.ts';

export const WARMUP_MS = 2_000;
export const CONNECT_CONCURRENCY = 500;

export interface BenchOptions {
  /** Chargers in the heartbeat loop. */
  chargers: number;
  seconds: number;
  /** Idle chargers for the memory figure. */
  idle: number;
  /** Chargers in the connect+boot storm. */
  boots: number;
}

export interface HeartbeatResult {
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerCall: number;
  cpu: CpuSplit;
  failures: FailureCounts;
}

/** Bytes per connected charger, of the server process. */
export interface IdleResult {
  connected: number;
  /** heapUsed + external: what the server's JavaScript holds per charger. */
  bytes: number;
  heap: number;
  external: number;
  rss: number;
  failures: FailureCounts;
}

export interface BootResult {
  booted: number;
  seconds: number;
  serverCpuMicrosPerBoot: number;
  cpu: CpuSplit;
  failures: FailureCounts;
}

/** A charger-side database outage during MeterValues load. */
export interface OutageResult {
  outageSeconds: number;
  /** MeterValues answered while the database was unreachable. */
  answeredDuring: number;
  failuresDuring: FailureCounts;
  /** Journal records waiting, at most. */
  peakBacklog: number;
  /** From the database's return until the journal was stored and new data went to the database directly. */
  drainSeconds: number;
}

export interface Measurements {
  heartbeat: HeartbeatResult;
  boot: BootResult;
  idle: IdleResult;
  /** The charging data path (FlexiCharge only): MeterValues with four samples, and Start/Stop pairs. */
  meterValues?: HeartbeatResult;
  startStop?: HeartbeatResult;
  outage?: OutageResult;
}

/** How the bench can take a server's database away (a TCP proxy between them). */
export interface DatabaseSwitch {
  cut(): Promise<void>;
  restore(): Promise<void>;
}

/** A server under test started for one measurement, on a database of its own. */
export interface FreshServer {
  server: ServerChild;
  /** Set when the database can be cut off (a server database behind a proxy). */
  database?: DatabaseSwitch;
  close(): Promise<void>;
}

/** Starts the server under test anew, with `chargers` chargers provisioned, on an empty database. */
export type ServerFactory = (chargers: number) => Promise<FreshServer>;

export interface MeasureExtras {
  /** Measure the charging data path. */
  ingest: boolean;
}

const OUTAGE_MS = 8_000;
const LOAD_BEFORE_OUTAGE_MS = 2_000;
const DRAIN_TIMEOUT_MS = 120_000;

type Progress = (line: string) => void;

/**
 * The three measurements against one server in a fresh child process. The connect+boot
 * storm runs before the memory figure so that one-off growth (JIT code, caches, a
 * database's working memory) is in the baseline and not charged to idle chargers.
 */
export async function measureServer(start: ServerFactory, options: BenchOptions, progress: Progress, extras: MeasureExtras = { ingest: false }): Promise<Measurements> {
  progress('starting');
  const fresh = await start(Math.max(options.chargers, options.idle, options.boots));
  let heartbeat: HeartbeatResult;
  let boot: BootResult;
  let idle: IdleResult;
  let outage: OutageResult | undefined;
  try {
    progress(`heartbeats: ${options.chargers} chargers, ${WARMUP_MS / 1000} s warm-up + ${options.seconds} s`);
    heartbeat = await measureCalls(fresh.server, options, runHeartbeats);
    progress(`connect+boot: ${options.boots} chargers`);
    boot = await measureBoots(fresh.server, options.boots);
    progress(`idle memory: ${options.idle} chargers`);
    idle = await measureIdleMemory(fresh.server, options.idle);
  } finally {
    await fresh.close();
  }
  if (!extras.ingest) return { heartbeat, boot, idle };
  // Each on a server and database of its own: one phase's bulk writes (and the database's
  // housekeeping after them) would otherwise weigh on the next.
  const onFreshServer = async <T>(measure: (fresh: FreshServer) => Promise<T>): Promise<T> => {
    const server = await start(options.chargers);
    try {
      return await measure(server);
    } finally {
      await server.close();
    }
  };
  progress(`MeterValues (4 samples, each stored): ${options.chargers} chargers, ${WARMUP_MS / 1000} s warm-up + ${options.seconds} s, fresh server`);
  const meterValues = await onFreshServer(({ server }) => measureCalls(server, options, runMeterValues));
  progress(`StartTransaction + StopTransaction: ${options.chargers} chargers, ${WARMUP_MS / 1000} s warm-up + ${options.seconds} s, fresh server`);
  const startStop = await onFreshServer(({ server }) => measureCalls(server, options, runStartStop));
  outage = await onFreshServer(async ({ server, database }) => {
    if (!database) return undefined;
    progress(`database outage of ${OUTAGE_MS / 1000} s under MeterValues load: ${options.chargers} chargers, fresh server`);
    return measureOutage(server, options, database);
  });
  return { heartbeat, boot, idle, meterValues, startStop, outage };
}

type Load = (chargers: Parameters<typeof runHeartbeats>[0], warmupMs: number, durationMs: number) => Promise<HeartbeatRun>;

async function measureCalls(server: ServerChild, options: BenchOptions, load: Load): Promise<HeartbeatResult> {
  // Each phase starts on a quiet server, not one still storing the last phase's work.
  await server.usage(true);
  const fleet = await connectFleet(server.chargerUrl, options.chargers, CONNECT_CONCURRENCY);
  try {
    const stopMeter = await meterCpu(server);
    const run = await load(fleet.chargers, WARMUP_MS, options.seconds * 1000);
    const cpu = await stopMeter();
    const failures: FailureCounts = {};
    addFailures(failures, fleet.failures);
    addFailures(failures, run.failures);
    return {
      callsPerSecond: run.latenciesMs.length / options.seconds,
      p50Ms: quantile(run.latenciesMs, 0.5),
      p99Ms: quantile(run.latenciesMs, 0.99),
      serverCpuMicrosPerCall: cpu.serverMicros / run.answeredTotal,
      cpu,
      failures,
    };
  } finally {
    await closeFleet(fleet);
  }
}

interface IngestHealth {
  ingest: { mode: 'direct' | 'journal'; backlog: number };
}

async function ingestHealth(server: ServerChild): Promise<IngestHealth['ingest'] | undefined> {
  try {
    return ((await (await fetch(`${server.httpUrl}/health`, { signal: AbortSignal.timeout(5000) })).json()) as IngestHealth).ingest;
  } catch {
    return undefined;
  }
}

/**
 * MeterValues in a closed loop; after a while the database is cut off for OUTAGE_MS and
 * restored. Counts what the server answered meanwhile (from its journal) and how long it
 * took to store the journal once the database was back.
 */
async function measureOutage(server: ServerChild, options: BenchOptions, database: DatabaseSwitch): Promise<OutageResult> {
  if (!server.httpUrl) throw new Error('the outage is measured on FlexiCharge only');
  await server.usage(true);
  const fleet = await connectFleet(server.chargerUrl, options.chargers, CONNECT_CONCURRENCY);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const load = meterValuesUntil(fleet.chargers, stopped);
  // Its failure is reported where it is awaited; until then it must not count as unhandled.
  load.catch(() => undefined);
  try {
    await sleep(LOAD_BEFORE_OUTAGE_MS);
    const cutAt = performance.now();
    await database.cut();
    let peakBacklog = 0;
    while (performance.now() - cutAt < OUTAGE_MS) {
      peakBacklog = Math.max(peakBacklog, (await ingestHealth(server))?.backlog ?? 0);
      await sleep(250);
    }
    const restoredAt = performance.now();
    await database.restore();
    for (;;) {
      const health = await ingestHealth(server);
      if (health?.mode === 'direct') break;
      peakBacklog = Math.max(peakBacklog, health?.backlog ?? 0);
      if (performance.now() - restoredAt > DRAIN_TIMEOUT_MS) throw new Error(`the journal was not stored within ${DRAIN_TIMEOUT_MS / 1000} s of the database's return`);
      await sleep(50);
    }
    const drainSeconds = (performance.now() - restoredAt) / 1000;
    stop();
    const { answeredAt, failures } = await load;
    return {
      outageSeconds: (restoredAt - cutAt) / 1000,
      answeredDuring: answeredAt.filter((at) => at >= cutAt && at <= restoredAt).length,
      failuresDuring: failures,
      peakBacklog,
      drainSeconds,
    };
  } finally {
    stop();
    await load.catch(() => undefined);
    await closeFleet(fleet);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measureBoots(server: ServerChild, size: number): Promise<BootResult> {
  // Start the storm on a quiet server, not one still busy with the last phase's disconnects.
  await server.usage(true);
  const stopMeter = await meterCpu(server);
  const fleet = await connectFleet(server.chargerUrl, size, CONNECT_CONCURRENCY);
  const cpu = await stopMeter();
  await closeFleet(fleet);
  return {
    booted: fleet.chargers.length,
    seconds: fleet.elapsedMs / 1000,
    serverCpuMicrosPerBoot: cpu.serverMicros / size,
    cpu,
    failures: fleet.failures,
  };
}

async function measureIdleMemory(server: ServerChild, size: number): Promise<IdleResult> {
  const before = await server.usage(true);
  const fleet = await connectFleet(server.chargerUrl, size, CONNECT_CONCURRENCY);
  try {
    const after = await server.usage(true);
    const perCharger = (bytes: number) => bytes / fleet.chargers.length;
    return {
      connected: fleet.chargers.length,
      bytes: perCharger(after.heapUsed + after.external - before.heapUsed - before.external),
      heap: perCharger(after.heapUsed - before.heapUsed),
      external: perCharger(after.external - before.external),
      rss: perCharger(after.rss - before.rss),
      failures: fleet.failures,
    };
  } finally {
    await closeFleet(fleet);
  }
}
