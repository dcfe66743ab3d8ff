import { forkServer, type ServerChild } from './childServer.ts';
import { meterCpu, type CpuSplit } from './cpu.ts';
import type { ServerSpec } from './ipc.ts';
import { addFailures, closeFleet, connectFleet, runHeartbeats, type FailureCounts } from './load.ts';
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

export interface Measurements {
  heartbeat: HeartbeatResult;
  boot: BootResult;
  idle: IdleResult;
}

type Progress = (line: string) => void;

/**
 * The three measurements against one server in a fresh child process. The connect+boot
 * storm runs before the memory figure so that one-off growth (JIT code, caches, a
 * database's working memory) is in the baseline and not charged to idle chargers.
 */
export async function measureServer(spec: Omit<ServerSpec, 'chargers'>, options: BenchOptions, progress: Progress): Promise<Measurements> {
  progress('starting');
  const server = await forkServer({ ...spec, chargers: Math.max(options.chargers, options.idle, options.boots) });
  try {
    progress(`heartbeats: ${options.chargers} chargers, ${WARMUP_MS / 1000} s warm-up + ${options.seconds} s`);
    const heartbeat = await measureHeartbeat(server, options);
    progress(`connect+boot: ${options.boots} chargers`);
    const boot = await measureBoots(server, options.boots);
    progress(`idle memory: ${options.idle} chargers`);
    const idle = await measureIdleMemory(server, options.idle);
    return { heartbeat, boot, idle };
  } finally {
    await server.close();
  }
}

async function measureHeartbeat(server: ServerChild, options: BenchOptions): Promise<HeartbeatResult> {
  const fleet = await connectFleet(server.chargerUrl, options.chargers, CONNECT_CONCURRENCY);
  try {
    const stopMeter = await meterCpu(server);
    const run = await runHeartbeats(fleet.chargers, WARMUP_MS, options.seconds * 1000);
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
