import fs from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { openConfiguredDatabase, type DatabaseHandle } from './db/connection.ts';
import { isDatabaseUnavailable } from './db/errors.ts';
import { lockDataDir } from './db/dataDirLock.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedDatabase } from './db/seed.ts';
import type { ChargerGateway } from './domain/chargerGateway.ts';
import { Authorizer } from './domain/authorization.ts';
import { availabilityOnBoot } from './domain/availability.ts';
import { ChargerSessions } from './domain/sessions/chargerSessions.ts';
import { LoadBalancer } from './domain/balancing/balancer.ts';
import { ChargingProfiles } from './domain/chargingProfiles.ts';
import type { Bus } from './domain/bus.ts';
import { ConfigurationControl } from './domain/configurationControl.ts';
import { announceStored } from './domain/events.ts';
import { TransactionIds } from './domain/sessions/transactionIds.ts';
import { TransactionRecorder } from './domain/sessions/transactionRecorder.ts';
import { IngestPipeline } from './ingest/pipeline.ts';
import { InvoicePaymentProvider, recordPaymentEvent } from './domain/payments.ts';
import { LocalListSync } from './domain/localListSync.ts';
import { SessionControl } from './domain/sessions/control.ts';
import { SessionSettlement } from './domain/sessions/settlement.ts';
import { SessionViews } from './domain/sessions/views.ts';
import { SessionSummaries } from './domain/sessions/summaries.ts';
import { Accounts } from './domain/accounts.ts';
import { UserAdmin } from './domain/userAdmin.ts';
import { AccessTokens, resolveTokenSecret, type AccessClaims } from './domain/tokens.ts';
import { ensureInitialAdmin, type InitialAdmin } from './domain/users.ts';
import { buildHttpApp } from './http/app.ts';
import { createGuards } from './http/auth.ts';
import { startJobs } from './jobs.ts';
import type { Cluster } from './cluster/cluster.ts';
import { NodeLease } from './cluster/nodeLease.ts';
import { openCluster } from './cluster/openCluster.ts';
import { LiveMetrics } from './live/liveMetrics.ts';
import { FleetStream } from './live/fleetStream.ts';
import { FrameWatchers } from './live/frameWatchers.ts';
import { Metrics } from './metrics/metrics.ts';
import { energyDeliveredWh } from './domain/sessions/energyDelivered.ts';
import { createMailer } from './mail/mailer.ts';
import { KlarnaClient } from './payments/klarnaClient.ts';
import { KlarnaPaymentProvider } from './payments/klarnaProvider.ts';
import { runOcppSelfTest, type SelfTestResult } from './selftest/index.ts';
import { DEMO_SERIAL, startDemoCharger } from './sim/demoCharger.ts';
import { startOcppServer } from './ocpp/server.ts';
import { headerDeadline } from './ocpp/upgradeServer.ts';
import { TlsCredentials } from './tls/credentials.ts';
import { controlSocketPath } from './operator/controlSocketPath.ts';
import { startControlSocket } from './operator/controlSocket.ts';

export interface RunningSystem {
  httpUrl: string;
  /** Answers an HTTP request in-process, without a socket (light-my-request). */
  injectHttp: FastifyInstance['inject'];
  ocppUrl: string;
  /** The https:// API and wss:// OCPP addresses, when TLS is configured. */
  httpsUrl?: string;
  ocppTlsUrl?: string;
  /** Reads the TLS files again (SIGHUP); true when they changed and the servers took them. */
  reloadTls(): Promise<boolean>;
  database: DatabaseHandle;
  tokens: AccessTokens;
  gateway: ChargerGateway;
  bus: Bus;
  cluster: Cluster;
  sessions: SessionControl;
  live: LiveMetrics;
  summaries: SessionSummaries;
  ingest: IngestPipeline;
  /** Set on the start that created the first admin. */
  initialAdmin?: InitialAdmin;
  /** Stops accepting, closes sockets, then flushes and closes the database. */
  close(): Promise<void>;
}

const INGEST_CONCURRENCY = 4;

/** The composition root: database (migrated, seeded), domain, OCPP and HTTP servers, jobs. */
/** `opening`: the database, when the caller started opening it already (main.ts does, while the rest loads). */
export async function startSystem(config: Config, logger: Logger, opening = openConfiguredDatabase(config.database, logger)): Promise<RunningSystem> {
  const database = await opening;
  const started: { close(): Promise<void> }[] = [];
  let initialAdmin: InitialAdmin | undefined;
  let ingest: IngestPipeline | undefined;
  let idReserve: TransactionIds | undefined;
  let cluster: Cluster | undefined;
  let lease: NodeLease | undefined;
  let unlockJournal: (() => Promise<void>) | undefined;
  try {
    const db = database.db;
    const applied = await untilDatabaseAnswers(() => migrateToLatest(db), logger);
    logger.info(applied.length ? { migrations: applied } : {}, applied.length ? 'database migrated' : 'database schema up to date');
    if (config.seed && (await seedDatabase(db))) logger.info('database seeded with the sites, chargers and sample tariffs');

    // Before the servers answer, so a client never signs in before the admin exists; undone
    // below if the start fails, so a generated password is never lost unseen.
    initialAdmin = await ensureInitialAdmin(db, config.admin.email, config.admin.password);
    if (initialAdmin) logger.info({ email: initialAdmin.email }, 'first admin created');

    const joined = (cluster = await openCluster(config.cluster, logger));
    const { bus } = joined;
    logger.info({ nodeId: cluster.nodeId, several: cluster.several }, cluster.several ? 'joined the other nodes' : 'running as a single node');
    // One node per journal: nodes sharing a DATA_DIR (on one machine) would write one journal together.
    const journalDir = path.join(config.dataDir, 'journal');
    await fs.mkdir(config.dataDir, { recursive: true });
    unlockJournal = await lockDataDir(journalDir, 'The charger-data journal in');
    // What chargers reported and was not yet stored (the database was away) is stored before chargers are served again.
    ingest = await IngestPipeline.open(database, journalDir, (facts) => announceStored(bus, facts), logger.child({ component: 'ingest' }), {
      // A server database stores a few batches at once; the embedded one is a single connection.
      concurrency: config.database.kind === 'postgres' ? Math.max(1, Math.min(INGEST_CONCURRENCY, config.database.poolSize - 2)) : 1,
    });
    await ingest.drain();
    const ids = new TransactionIds(db, (error) => logger.warn({ err: error }, 'waiting for the database to reserve transaction ids'));
    idReserve = ids;
    await ids.prepare();
    const chargerSessions = new ChargerSessions();
    const authorizer = new Authorizer(db, chargerSessions);
    const sink = ingest;
    const tokens = new AccessTokens(await resolveTokenSecret(db, config.auth.jwtSecret), config.auth.accessTokenTtlSeconds);
    const accounts = new Accounts(db, tokens, createMailer(config.mail, logger.child({ component: 'mail' })), config.auth);
    const isActive = (claims: AccessClaims) => accounts.isActive(claims.userId, claims.tokenVersion);
    const summaries = new SessionSummaries(sink, config.liveMetricsDbUpdateIntervalMs, logger);
    const transactions = new TransactionRecorder({
      db, sink, ids, authorizer, sessions: chargerSessions, summaries, backlogged: () => sink.backlogged, logger: logger.child({ component: 'transactions' }),
    });
    // Profiles 2 and 3: wss:// and https:// beside the plain ports, with certificates reloaded without a restart.
    const tlsCredentials = config.tls ? await TlsCredentials.load(config.tls, logger.child({ component: 'tls' })) : undefined;
    if (tlsCredentials) started.push({ close: async () => tlsCredentials.close() });
    const live = new LiveMetrics({
      tokens, isActive, activeTokenVersions: (userIds) => accounts.activeTokenVersions(userIds), bus, logger: logger.child({ component: 'live' }),
      pingIntervalMs: config.ocpp.pingIntervalMs, authCheckIntervalMs: config.liveMetricsAuthCheckIntervalMs,
    });
    const metrics = new Metrics(cluster.nodeId);
    const framesWatched = new FrameWatchers(bus);
    started.push({ close: async () => framesWatched.close() });
    const ocpp = await startOcppServer({
      db, config, cluster, transactions, authorizer, logger, liveSummary: (sessionId) => summaries.live(sessionId), userUpgrade: (...args) => live.upgrade(...args),
      tls: tlsCredentials, observer: metrics.ocpp, framesWatched,
    });
    metrics.watch({
      connections: () => ocpp.registry.values(), pool: () => database.pool(), ingest: () => sink.status(), live,
      sessions: { active: () => chargerSessions.openCount(), energyDeliveredWh: () => energyDeliveredWh(db) },
    });
    started.push({ close: async () => { live.close(); await ocpp.close(); await summaries.close(); } });
    // After the OCPP server in `started`: closed after it, so sends under way end (their chargers gone) and are recorded.
    const localLists = new LocalListSync(db, ocpp.gateway, logger.child({ component: 'localList' }));
    const stopLocalLists = localLists.listen(bus);
    started.push({ close: async () => { stopLocalLists(); await localLists.idle(); } });
    if (cluster.several) {
      const ocppServer = ocpp;
      const { nodeId } = cluster;
      lease = await NodeLease.start(db, {
        nodeId, ttlMs: config.cluster.leaseTtlMs, logger: logger.child({ component: 'cluster' }), lapsed: () => ocppServer.reassertPresence(),
        // The operators' live views hear of them as of any charger whose connection closed.
        released: (chargerIds) => {
          for (const chargerId of chargerIds) bus.publish('chargerDisconnected', { chargerId, nodeId });
        },
      });
    }
    const nodeLease = lease;
    const payments = config.klarna.bypass
      ? new InvoicePaymentProvider()
      : new KlarnaPaymentProvider(db, new KlarnaClient(config.klarna.baseUrl, config.klarna.token, (...event) => recordPaymentEvent(db, ...event), logger.child({ component: 'klarna' })));
    const sessionLogger = logger.child({ component: 'sessions' });
    const liveSummary = (sessionId: number, chargerId: number) => ocpp.gateway.summaryOf(sessionId, chargerId);
    const sessionViews = new SessionViews(db, liveSummary);
    const settlement = new SessionSettlement(db, bus, payments, sessionViews, sessionLogger);
    const sessions = new SessionControl(db, ocpp.gateway, bus, settlement, sessionViews, config.sessions, sessionLogger);
    const stopFollowingProfiles = new ChargingProfiles(db, ocpp.gateway).follow(bus, logger.child({ component: 'chargingProfiles' }));
    started.push({ close: async () => stopFollowingProfiles() });
    const balancer = new LoadBalancer(db, bus, ocpp.gateway, logger.child({ component: 'balancing' }), config.balancing);
    const stopBalancing = balancer.start();
    // Before the OCPP server closes: a run under way finishes its sends (or they fail at once) before the database goes.
    started.unshift({ close: async () => { stopBalancing(); await balancer.idle(); } });
    const stopAvailabilityOnBoot = availabilityOnBoot(bus, db, ocpp.gateway, logger.child({ component: 'availability' }));
    started.unshift({ close: async () => stopAvailabilityOnBoot() });

    // The OCPP self-test (GET /tests/ocpp, RUN_OCPP_TEST): aborted and awaited on close, before the database goes.
    const selfTestAbort = new AbortController();
    let selfTestRun: Promise<SelfTestResult> | undefined;
    const runSelfTest = () => (selfTestRun = runOcppSelfTest(
      {
        db, ocppUrl: `ws://${urlHost(config.host)}:${ocpp.port}`, gateway: ocpp.gateway, tokens, liveUsers: () => live.users, logger: logger.child({ component: 'selftest' }),
        progress: (report) => bus.publish('selfTest', report),
      },
      { intervalMultiplier: config.selfTest.intervalMultiplier, signal: selfTestAbort.signal },
    ));
    started.unshift({ close: async () => { selfTestAbort.abort(); await selfTestRun?.catch(() => undefined); } });

    const configuration = new ConfigurationControl(db, ocpp.gateway, logger.child({ component: 'configuration' }));
    configuration.listen(bus);
    // After the OCPP server (its charger calls then fail at once), before the database.
    started.push({ close: () => configuration.close() });
    const userAdmin = new UserAdmin(db, accounts);
    const http = await buildHttpApp({ config, database, db, tokens, guards: createGuards(tokens, isActive), gateway: ocpp.gateway, configuration, sessions, sessionViews,
      liveSummary, fleetStream: new FleetStream(bus), settlement, accounts, userAdmin, ingest: () => sink.status(),
      node: () => ({ id: joined.nodeId, several: joined.several, connected: joined.connected, housekeeper: nodeLease?.housekeeper ?? true, chargers: ocpp.registry.size }),
      metrics,
      localLists,
    }, logger, runSelfTest);
    started.push(http);
    // npm run admin cannot open the embedded database while this process holds it: its commands come here.
    if (config.database.kind === 'embedded') {
      started.push(await startControlSocket(controlSocketPath(config.database.dataDir), { db, accounts, userAdmin }, logger.child({ component: 'operator' })));
    }
    await http.listen({ host: config.host, port: config.httpPort });
    let httpsPort: number | undefined;
    if (tlsCredentials && config.tls) {
      // The same routes on https://, answered by the same Fastify instance.
      const httpsServer = https.createServer(
        { ...tlsCredentials.serverOptions({ clientCertificates: false }), ...headerDeadline(config.upgradeTimeoutMs), handshakeTimeout: config.upgradeTimeoutMs },
        (request, response) => http.routing(request, response),
      );
      await new Promise<void>((resolve, reject) => httpsServer.once('error', reject).listen(config.tls!.httpsPort, config.host, resolve));
      started.push({ close: async () => { httpsServer.closeAllConnections(); await new Promise<void>((resolve) => httpsServer.close(() => resolve())); } });
      tlsCredentials.attach(httpsServer);
      tlsCredentials.watch();
      httpsPort = (httpsServer.address() as AddressInfo).port;
    }
    logger.info({ http: (http.server.address() as AddressInfo).port, ocpp: ocpp.port, ...(tlsCredentials ? { https: httpsPort, ocppTls: ocpp.tlsPort } : {}) }, 'listening');

    if (config.demoCharger && (await db.selectFrom('chargers').select('id').where('serial_number', '=', DEMO_SERIAL).executeTakeFirst())) {
      started.unshift(await startDemoCharger(`ws://${urlHost(config.host)}:${ocpp.port}`, logger.child({ component: 'demo' })));
    }

    const jobs = startJobs({
      db, transactions, finalize: (sessionId) => settlement.finalize(sessionId), orphanGraceMs: config.sessions.orphanGraceMs,
      nodeId: cluster.nodeId, housekeeper: () => nodeLease?.housekeeper ?? true, logger,
    });

    if (config.selfTest.runAtStart) void runSelfTest();

    const httpPort = (http.server.address() as AddressInfo).port;
    const hostName = urlHost(config.host);
    let closing: Promise<void> | undefined;
    return {
      httpUrl: `http://${hostName}:${httpPort}`,
      injectHttp: http.inject.bind(http),
      ocppUrl: `ws://${hostName}:${ocpp.port}`,
      httpsUrl: httpsPort === undefined ? undefined : `https://${hostName}:${httpsPort}`,
      ocppTlsUrl: ocpp.tlsPort === undefined ? undefined : `wss://${hostName}:${ocpp.tlsPort}`,
      reloadTls: async () => (await tlsCredentials?.reload('signal')) ?? false,
      database,
      tokens,
      gateway: ocpp.gateway,
      bus,
      cluster,
      sessions,
      live,
      summaries,
      ingest: sink,
      initialAdmin,
      close() {
        closing ??= (async () => {
          // The timers stop at once; a sweep under way may finish while the servers close.
          const jobsStopped = jobs.close();
          for (const server of started) await server.close();
          await jobsStopped;
          await ingest!.close();
          await unlockJournal!();
          await nodeLease?.close();
          await cluster!.close();
          ids.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.close()));
    await lease?.close().catch(() => undefined);
    await cluster?.close().catch(() => undefined);
    idReserve?.close();
    await ingest?.close().catch(() => undefined);
    await unlockJournal?.().catch(() => undefined);
    if (initialAdmin) await database.db.deleteFrom('users').where('email', '=', initialAdmin.email).execute().catch(() => undefined);
    await database.close();
    throw error;
  }
}

const DATABASE_RETRY_MAX_MS = 5000;

/**
 * Runs the first database work of a start, waiting for a database that is still starting
 * or briefly away (a container started alongside it, a failover) instead of giving up.
 */
async function untilDatabaseAnswers<T>(work: () => Promise<T>, logger: Logger): Promise<T> {
  for (let waitMs = 250; ; waitMs = Math.min(waitMs * 2, DATABASE_RETRY_MAX_MS)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      logger.warn({ err: error, retryInMs: waitMs }, 'waiting for the database');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** The host part of a URL that reaches a server bound to `host` from this machine. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
