import { runChargerTests } from './chargerTests.ts';
import { Results, type TestContext } from './context.ts';
import { createFixture, removeFixture } from './fixture.ts';
import { runLiveMetricsTests } from './liveMetricsTests.ts';
import { SELF_TEST_NAMES, type SelfTestDeps, type SelfTestOptions, type SelfTestResult } from './types.ts';
import { describeError, Waits } from './waits.ts';

/** The run in progress per OCPP server (its gateway); a second call meanwhile shares it. */
const inProgress = new WeakMap<object, Promise<SelfTestResult>>();

/**
 * The original's OCPP self-test (§8.11), against the running server over real sockets:
 * charger tests (BootNotification, ReserveNow, RemoteStartTransaction, RemoteStopTransaction,
 * ChargerMemoryLeak : ChargerTests), then live-metrics tests (MeterValues, UserMemoryLeak,
 * ChargerMemoryLeak : LiveMetricsTests). It works on temporary data only (a charge point
 * "Self-test <random>", chargers "selftest-<random>" and "selftest-<random>-live", a user
 * "selftest-<random>@selftest.invalid") and removes it afterwards, whatever happened.
 * Every wait is bounded (5 s × intervalMultiplier); a failing test is reported, never thrown.
 * A call while a run on the same server is in progress gets that run's result. Never rejects.
 */
export function runOcppSelfTest(deps: SelfTestDeps, options: SelfTestOptions): Promise<SelfTestResult> {
  let run = inProgress.get(deps.gateway);
  if (!run) {
    run = runOnce(deps, options)
      .catch((error: unknown) => {
        // Never rejects: a start-up run is not awaited by anyone.
        deps.logger?.warn({ err: error }, `OCPP self-test could not run: ${describeError(error)}`);
        return { failedTests: [...SELF_TEST_NAMES], successfulTests: [] };
      })
      .finally(() => inProgress.delete(deps.gateway));
    inProgress.set(deps.gateway, run);
  }
  return run.then((result) => ({ failedTests: [...result.failedTests], successfulTests: [...result.successfulTests] }));
}

async function runOnce(deps: SelfTestDeps, options: SelfTestOptions): Promise<SelfTestResult> {
  const started = Date.now();
  const waits = new Waits(options.intervalMultiplier, options.signal);
  let fixture;
  try {
    fixture = await createFixture(deps.db);
  } catch (error) {
    const reason = `could not create the temporary test data: ${describeError(error)}`;
    deps.logger?.warn({ err: error }, `OCPP self-test: ${reason}`);
    return { failedTests: [...SELF_TEST_NAMES], successfulTests: [] };
  }

  const context: TestContext = { deps, fixture, waits, results: new Results(deps, fixture.suffix), cleanups: [] };
  try {
    await runChargerTests(context);
    await runLiveMetricsTests(context);
  } catch (error) {
    // The groups catch per test; this is only a safety net for a bug between tests.
    deps.logger?.warn({ err: error, run: fixture.suffix }, `OCPP self-test stopped early: ${describeError(error)}`);
  } finally {
    for (const cleanup of context.cleanups.splice(0)) {
      try {
        await cleanup();
      } catch {
        // Closing a socket that is already gone.
      }
    }
    // Not bounded by an abort: removing the temporary data always gets its full wait.
    await removeFixture(deps.db, fixture, new Waits(options.intervalMultiplier), deps.logger);
  }

  const result = context.results.toResult();
  deps.logger?.info({ ...result, durationMs: Date.now() - started, run: fixture.suffix }, 'OCPP self-test finished');
  return result;
}
