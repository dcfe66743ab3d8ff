import { Type } from '@sinclair/typebox';
import type { SelfTestResult } from '../../selftest/index.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, errorResponses } from '../schemas.ts';

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
      schema: {
        tags: ['operations'],
        summary: 'Run the OCPP self-test (admin); takes a few seconds',
        description: 'BootNotification, RemoteStartTransaction, RemoteStopTransaction, ReserveNow, ChargerMemoryLeak : ChargerTests, '
          + 'MeterValues, UserMemoryLeak and ChargerMemoryLeak : LiveMetricsTests, run with a simulated FlexiCharge charger and a '
          + 'temporary user against this server. A request during a run gets that run\'s result.',
        security: bearer,
        response: { 200: SelfTestJson, ...errorResponses(401, 403) },
      },
    }, async () => run());
  };
}
