import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { headerDeadline } from '../ocpp/upgradeServer.ts';
import type { SelfTestResult } from '../selftest/index.ts';
import type { App, HttpContext } from './context.ts';
import { dashboardRoutes } from './dashboard.ts';
import { errorBody, installErrorHandling } from './errors.ts';
import { ErrorBody, openapiOptions } from './openapi.ts';
import { RequestLogging } from './requestLogging.ts';
import { closeSilentConnections } from './silentConnections.ts';
import { capacityRoutes } from './routes/capacity.ts';
import { siteLoadRoutes } from './routes/siteLoad.ts';
import { chargePointRoutes } from './routes/chargePoints.ts';
import { chargerRoutes } from './routes/chargers.ts';
import { chargingProfileRoutes } from './routes/chargingProfiles.ts';
import { commandHistoryRoutes } from './routes/commandHistory.ts';
import { commandRoutes } from './routes/commands.ts';
import { configurationRoutes } from './routes/configuration.ts';
import { connectorRoutes } from './routes/connectors.ts';
import { diagnosticsRoutes } from './routes/diagnostics.ts';
import { firmwareRoutes } from './routes/firmware.ts';
import { healthRoutes } from './routes/health.ts';
import { idTagRoutes } from './routes/idTags.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { localListRoutes } from './routes/localLists.ts';
import { legacyTransactionRoutes } from './routes/legacyTransactions.ts';
import { fleetRoutes } from './routes/fleet.ts';
import { liveFleetRoutes } from './routes/liveFleet.ts';
import { sessionListRoutes } from './routes/sessions.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { reservationRoutes } from './routes/reservations.ts';
import { selfTestRoutes } from './routes/selfTest.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { tariffRoutes } from './routes/tariffs.ts';
import { transactionRoutes } from './routes/transaction.ts';
import { buildSerializer } from './serialization.ts';
import { buildValidator } from './validation.ts';

export async function buildHttpApp(context: HttpContext, logger: Logger, runSelfTest: () => Promise<SelfTestResult>): Promise<App> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // A connection whose request headers are not complete within UPGRADE_TIMEOUT (a silent one too) is closed.
    http: headerDeadline(context.config.upgradeTimeoutMs),
    // Behind a load balancer every client would otherwise be the balancer (one sign-in rate limit for all).
    trustProxy: context.config.trustProxy,
    // Apps and scripts write `/chargers/` as often as `/chargers` (the original's own API tests did).
    routerOptions: { ignoreTrailingSlash: true },
    logController: new RequestLogging(),
    // Fastify's declared factory type is Ajv-specific; ours returns the same compile contract.
    schemaController: { compilersFactory: { buildValidator: buildValidator as never, buildSerializer: buildSerializer as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app);
  closeSilentConnections(app);
  app.addSchema(ErrorBody);
  // A request without a body (the Android app's PUT /transaction/start) validates as {}:
  // optional fields stay optional and missing ones are reported by name.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) request.body = {};
  });
  app.addHook('onResponse', async (request, reply) => context.metrics.http.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000));

  // Any origin may call the API, as with the original; requested headers (Authorization
  // included, which a "*" would not cover) are reflected on preflight.
  await app.register(cors, { origin: '*', methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], exposedHeaders: '*' });
  await app.register(formbody);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, limit) =>
      Object.assign(new Error(`Too many requests; try again in ${limit.after}`), { statusCode: 429, body: errorBody(429, ['tooManyRequests'], '') }),
  });
  await app.register(swagger, openapiOptions(context.config));
  await app.register(swaggerUi, { routePrefix: '/swagger' });

  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/swagger', 302));
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(healthRoutes(context));
  await app.register(authRoutes(context));
  await app.register(chargerRoutes(context));
  await app.register(commandRoutes(context));
  await app.register(configurationRoutes(context));
  await app.register(chargingProfileRoutes(context));
  await app.register(commandHistoryRoutes(context));
  await app.register(connectorRoutes(context));
  await app.register(chargePointRoutes(context));
  await app.register(capacityRoutes(context));
  await app.register(siteLoadRoutes(context));
  await app.register(transactionRoutes(context));
  await app.register(legacyTransactionRoutes(context));
  await app.register(reservationRoutes(context));
  await app.register(idTagRoutes(context));
  await app.register(localListRoutes(context));
  await app.register(selfTestRoutes(context, runSelfTest));
  await app.register(adminRoutes(context));
  await app.register(tariffRoutes(context));
  await app.register(invoiceRoutes(context));
  await app.register(firmwareRoutes(context));
  await app.register(diagnosticsRoutes(context));
  await app.register(metricsRoutes(context));
  await app.register(fleetRoutes(context));
  await app.register(sessionListRoutes(context));
  await app.register(liveFleetRoutes(context));
  await app.register(dashboardRoutes(context));
  return app;
}
