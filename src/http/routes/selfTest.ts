import { Type } from '@sinclair/typebox';
import type { SelfTestResult } from '../../selftest/index.ts';
import { SELF_TEST_NAMES } from '../../selftest/types.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';

const TestNames = Type.Array(Type.String());

const SelfTestJson = Type.Object({
  failedTests: TestNames,
  successfulTests: TestNames,
});

/**
 * GET /tests/ocpp: runs the OCPP self-test inside the server (temporary charger, user and
 * sessions over real sockets, removed afterwards) and answers with the test names that
 * failed and passed, as the original did. Admins only: it opens sockets and writes data.
 * `run` is the composition root's closure over the running system.
 */
export function selfTestRoutes({ guards }: HttpContext, run: () => Promise<SelfTestResult>) {
  return async (app: App) => {
    app.get('/tests/ocpp', {
      onRequest: guards.admin,
      schema: operation({
        id: 'runOcppSelfTest', tag: TAG.operations, access: 'admin', summary: 'Run the OCPP self-test; takes a few seconds',
        description: 'BootNotification, RemoteStartTransaction, RemoteStopTransaction, ReserveNow, ChargerMemoryLeak : ChargerTests, '
          + 'MeterValues, UserMemoryLeak and ChargerMemoryLeak : LiveMetricsTests, run with a simulated FlexiCharge charger and a '
          + 'temporary user against this server (removed afterwards). A request during a run gets that run\'s result.',
      }, {
        response: {
          200: json('The names of the tests that failed and that passed', SelfTestJson, {
            failedTests: [],
            successfulTests: [...SELF_TEST_NAMES],
          }),
        },
      }),
    }, async () => run());
  };
}
