import { signal } from '@preact/signals';
import { api } from '../../api.ts';
import { onLive } from '../../live.ts';

/**
 * The server's SELF_TEST_NAMES (src/selftest/types.ts) in its order: the tests a run has, listed
 * as pending before the first finishes. A name the server reports that is not here is added.
 */
export const SELF_TEST_NAMES = [
  'BootNotification',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'ChargerMemoryLeak : ChargerTests',
  'MeterValues',
  'UserMemoryLeak',
  'ChargerMemoryLeak : LiveMetricsTests',
];

/** What GET /tests/ocpp answers once the run is over. */
interface SelfTestResult {
  failedTests: string[];
  successfulTests: string[];
}

export interface SelfTestRun {
  running: boolean;
  /** Started by this tab (its GET /tests/ocpp is waiting) rather than seen in the live stream. */
  mine: boolean;
  names: string[];
  /** Each finished test's outcome, by name. */
  passed: Record<string, boolean>;
  done: number;
  total: number;
  /** Why the run's request failed (the server's message). */
  error: string | null;
  /** When this tab's own run got its answer (ms since the epoch). */
  answeredAt: number | null;
}

/**
 * The latest self-test run, kept for the whole tab rather than the page: a run started here
 * goes on when the page is left, and a run started in another tab or by another operator is
 * followed from its `selfTest` live events.
 */
export const selfTestRun = signal<SelfTestRun | null>(null);

/** The stream may deliver a run's last events after its HTTP answer; within this time they are that run's. */
const STRAGGLER_MS = 5_000;
/** A run seen only in the stream that sends nothing for this long has ended without us (its node went away). */
const SILENT_MS = 120_000;
let silence: ReturnType<typeof setTimeout> | undefined;

const fresh = (mine: boolean): SelfTestRun => ({
  running: true, mine, names: [...SELF_TEST_NAMES], passed: {}, done: 0, total: SELF_TEST_NAMES.length, error: null, answeredAt: null,
});

function isStraggler(run: SelfTestRun | null, done: number): boolean {
  return run !== null && !run.running && run.answeredAt !== null && Date.now() - run.answeredAt < STRAGGLER_MS && done <= run.done;
}

onLive('selfTest', ({ test, passed, done, total }) => {
  const current = selfTestRun.value;
  if (isStraggler(current, done)) return;
  // Events go to this tab's own run while it waits; otherwise a count that did not go up means a new run began.
  const run = current?.running && (current.mine || done > current.done) ? current : fresh(false);
  const next: SelfTestRun = {
    ...run,
    names: run.names.includes(test) ? run.names : [...run.names, test],
    passed: { ...run.passed, [test]: passed },
    done: Math.max(done, run.done),
    total,
    // A run this tab asked for ends with its answer; one seen only here ends with its last test.
    running: run.mine || done < total,
  };
  selfTestRun.value = next;
  clearTimeout(silence);
  if (next.running && !next.mine) {
    silence = setTimeout(() => {
      if (selfTestRun.value === next) selfTestRun.value = { ...next, running: false };
    }, SILENT_MS);
  }
});

/** GET /tests/ocpp; the live events show its progress meanwhile. */
export async function runSelfTest(): Promise<void> {
  if (selfTestRun.value?.running) return;
  const started = fresh(true);
  selfTestRun.value = started;
  const latest = () => (selfTestRun.value?.mine ? selfTestRun.value : started);
  try {
    const result = await api<SelfTestResult>('/tests/ocpp');
    const run = latest();
    const passed: Record<string, boolean> = {};
    for (const name of result.successfulTests) passed[name] = true;
    for (const name of result.failedTests) passed[name] = false;
    const names = [...run.names, ...Object.keys(passed).filter((name) => !run.names.includes(name))];
    const count = Object.keys(passed).length;
    selfTestRun.value = { ...run, running: false, names, passed, done: count, total: count, answeredAt: Date.now() };
  } catch (reason) {
    selfTestRun.value = { ...latest(), running: false, error: reason instanceof Error ? reason.message : String(reason), answeredAt: Date.now() };
  }
}
