import { ChargerSimulator } from '../sim/index.ts';
import type { Fixture, TemporaryCharger } from './fixture.ts';
import { SELF_TEST_NAMES, type SelfTestDeps, type SelfTestName, type SelfTestResult } from './types.ts';
import { describeError, type Waits } from './waits.ts';

/** Pass/fail per test name; a test passes when its body returns and fails on any exception. */
export class Results {
  readonly #passed = new Set<SelfTestName>();
  readonly #failed = new Map<SelfTestName, string>();

  /** Run to the end, passed or not: the progress reports count them. */
  readonly #finished = new Set<SelfTestName>();

  constructor(private readonly deps: SelfTestDeps, private readonly suffix: string) {}

  async run(name: SelfTestName, body: () => Promise<void>): Promise<boolean> {
    let passed: boolean;
    try {
      await body();
      this.#passed.add(name);
      passed = true;
    } catch (error) {
      this.fail(name, describeError(error));
      passed = false;
    }
    this.#finished.add(name);
    this.deps.progress?.({ test: name, passed, done: this.#finished.size, total: SELF_TEST_NAMES.length });
    return passed;
  }

  fail(name: SelfTestName, reason: string): void {
    this.#failed.set(name, reason);
    this.deps.logger?.warn({ test: name, reason, run: this.suffix }, `OCPP self-test ${name} failed: ${reason}`);
  }

  /** Every name once, in the original's order; a name never run counts as failed. */
  toResult(): SelfTestResult {
    const result: SelfTestResult = { failedTests: [], successfulTests: [] };
    for (const name of SELF_TEST_NAMES) {
      if (this.#passed.has(name) && !this.#failed.has(name)) result.successfulTests.push(name);
      else result.failedTests.push(name);
    }
    return result;
  }
}

/** What the test groups share within one run. */
export interface TestContext {
  deps: SelfTestDeps;
  fixture: Fixture;
  waits: Waits;
  results: Results;
  /** Run in the cleanup, whatever happened: closes simulators and sockets. */
  cleanups: (() => void | Promise<void>)[];
}

/** A simulated FlexiCharge charger playing a temporary charger; dropped in the cleanup. */
export interface SimulatedCharger {
  sim: ChargerSimulator;
  /** Use this, not `sim.connect()`: the cleanup also drops a connection a wait gave up on. */
  connect(): Promise<void>;
}

export function simulate(context: TestContext, charger: TemporaryCharger): SimulatedCharger {
  const { deps, waits } = context;
  const sim = new ChargerSimulator({
    url: `${deps.ocppUrl}/charger/${encodeURIComponent(charger.serialNumber)}`,
    dialect: 'flexicharge',
    meterValueIntervalMs: 0,
    // Also the handshake timeout, which bounds a connect nobody waits for any more.
    callTimeoutMs: waits.timeoutMs,
  });
  let connecting: Promise<void> | undefined;
  context.cleanups.push(async () => {
    sim.terminate();
    await connecting?.then(() => sim.terminate(), () => undefined);
  });
  return {
    sim,
    connect: () => {
      connecting = sim.connect();
      return connecting;
    },
  };
}

/** The payloads of the CALLs of `action` the simulator received, from frame index `from` on. */
export function callsReceived(sim: ChargerSimulator, action: string, from = 0): Record<string, unknown>[] {
  return sim.received
    .slice(from)
    .filter((frame) => frame[0] === 2 && frame[2] === action && typeof frame[3] === 'object' && frame[3] !== null)
    .map((frame) => frame[3] as Record<string, unknown>);
}
