import type { SimulatorOptions } from './options.ts';
import { ChargerSimulator } from './simulator.ts';

/** Connections opened at once: enough for a fast start, few enough not to look like a flood. */
const CONCURRENCY = 200;

/**
 * Connects and boots `count` chargers, at most 200 at a time. If one fails, no further ones are
 * started, those already connected are closed, and the first error is thrown.
 */
export async function simulateMany(count: number, make: (i: number) => SimulatorOptions): Promise<ChargerSimulator[]> {
  const simulators = Array.from({ length: count }, (_, i) => new ChargerSimulator(make(i)));
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < simulators.length) {
      const simulator = simulators[next++]!;
      try {
        await simulator.connect();
        await simulator.boot();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  if (failure) {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    throw failure.error;
  }
  return simulators;
}
