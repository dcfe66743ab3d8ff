import { readFileSync } from 'node:fs';
import type { ServerChild } from './childServer.ts';

/** /proc/stat counts in USER_HZ ticks, 100 a second on mainstream Linux builds. */
export const MICROS_PER_TICK = 10_000;

/**
 * Who kept the CPU busy during a phase, in average cores (1 = one core, all the time).
 * Server and load generator share a small machine, so this tells which one was the
 * bottleneck, and whether something else on the machine distorted the run.
 */
export interface CpuSplit {
  server: number;
  loadGenerator: number;
  /** Every other process (and the hypervisor's steal); undefined without /proc/stat. */
  others: number | undefined;
  serverMicros: number;
}

/**
 * CPU time the machine has spent in processes, in µs; undefined off Linux. Interrupt
 * time is left out: most of it is the loopback traffic of the bench itself.
 */
export function machineMicros(): number | undefined {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  } catch {
    return undefined;
  }
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + steal) * MICROS_PER_TICK;
}

/** Starts metering; the function it returns ends it. */
export async function meterCpu(server: ServerChild): Promise<() => Promise<CpuSplit>> {
  const serverBefore = (await server.usage(false)).cpuMicros;
  const ownBefore = process.cpuUsage();
  const machineBefore = machineMicros();
  const started = performance.now();
  return async () => {
    const serverMicros = (await server.usage(false)).cpuMicros - serverBefore;
    const own = process.cpuUsage(ownBefore);
    const machineAfter = machineMicros();
    const wallMicros = (performance.now() - started) * 1000;
    const ownMicros = own.user + own.system;
    const others = machineBefore === undefined || machineAfter === undefined
      ? undefined
      : Math.max(0, machineAfter - machineBefore - serverMicros - ownMicros) / wallMicros;
    return { server: serverMicros / wallMicros, loadGenerator: ownMicros / wallMicros, others, serverMicros };
  };
}
