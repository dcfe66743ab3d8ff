import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { Batcher } from '../db/batcher.ts';
import { recordBoots, setDialect, type BootOutcome, type BootRecord, type ChargerAdmission } from '../domain/chargerPresence.ts';
import { ChargerCertificates } from '../domain/certificates.ts';
import { CommandHistory } from '../domain/commandHistory.ts';
import { ChargerStatusRecorder } from '../domain/chargerStatus.ts';
import { FileJobProgress } from '../domain/fileJobProgress.ts';
import { SecurityEventRecorder } from '../domain/securityEvents.ts';
import type { Authorizer } from '../domain/authorization.ts';
import type { Hold } from '../cluster/chargerRoutes.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { currentPricePerKwh } from '../domain/pricing.ts';
import type { LiveSummary } from '../domain/sessions/summaries.ts';
import type { TransactionRecorder } from '../domain/sessions/transactionRecorder.ts';
import type { ChargerId, Dialect } from '../domain/units.ts';
import { ChargerAdmissions } from './admission.ts';
import { OcppGateway } from './gateway.ts';
import { ChargerConnection, type ConnectionOptions } from './connection.ts';
import { createDispatcher } from './handlers/index.ts';
import { MessageLog, withoutSecrets } from './messageLog.ts';
import { UNOBSERVED, type OcppObserver } from './observer.ts';
import { PingSweep } from './pingSweep.ts';
import { ChargerPresence } from './presence.ts';
import { ConnectionRegistry } from './registry.ts';
import { Refusal, startUpgradeServer, type UpgradeRoutes, type UpgradeServer } from './upgradeServer.ts';
import type { TlsCredentials } from '../tls/credentials.ts';
import { identityFromPath } from './admission.ts';

const SUBPROTOCOL = 'ocpp1.6';
/**
 * How long admission lookups, presence changes and boots wait for company before one
 * statement stores them all: a few ms per charger buys batches of hundreds in a storm.
 */
const BATCH_WINDOW_MS = 10;

export interface OcppServer {
  port: number;
  /** The wss:// port, when TLS is configured. */
  tlsPort?: number;
  gateway: OcppGateway;
  registry: ConnectionRegistry;
  /** Shows every charger this node holds online again (after its lease lapsed and others showed them offline). */
  reassertPresence(): void;
  close(): Promise<void>;
}

export interface OcppServerDeps {
  db: Db;
  config: Config;
  cluster: Cluster;
  transactions: TransactionRecorder;
  /** The in-memory summary of a running session on this node's chargers. */
  liveSummary(sessionId: number): LiveSummary | undefined;
  authorizer: Authorizer;
  logger: Logger;
  /** Upgrades on `/user/<id>` (live metrics for apps) share the port with chargers. */
  userUpgrade?: UpgradeRoutes['user'];
  /** Serve wss:// on OCPP_TLS_PORT too (security profiles 2 and 3). */
  tls?: TlsCredentials;
  /** Hears every OCPP message in and out (metrics). */
  observer?: OcppObserver;
  /** Whether operators (on any node) watch a charger's frames now: asked for every frame, so it must be a Set lookup. */
  framesWatched?: { has(chargerId: ChargerId): boolean };
}

/**
 * The central system on OCPP_PORT: chargers are admitted (admission.ts), served one
 * connection each (connection.ts, handlers/), watched by the ping sweep and shown
 * online or offline (presence.ts).
 */
export async function startOcppServer(deps: OcppServerDeps): Promise<OcppServer> {
  const { db, config, cluster } = deps;
  const logger = deps.logger.child({ component: 'ocpp' });
  const registry = new ConnectionRegistry();
  const history = new CommandHistory(db, cluster.nodeId, logger);
  const gateway = new OcppGateway(registry, cluster.routes, config.ocpp.callTimeoutMs, deps.liveSummary, history);
  const presence = await ChargerPresence.start(db, cluster, BATCH_WINDOW_MS, logger);
  /** How other nodes' asks reach each charger held here; withdrawn when its connection goes. */
  const holds = new Map<ChargerConnection, Hold>();
  const admissions = new ChargerAdmissions(db, config.ocpp.autoRegister, BATCH_WINDOW_MS);
  const messageLog = config.ocpp.messageLog ? new MessageLog(db, logger) : undefined;
  const boots = new Batcher<BootRecord, BootOutcome>((records) => recordBoots(db, records), BATCH_WINDOW_MS);

  /** The charger's next connection starts from the dialect it turned out to speak. */
  function storeDialect(connection: ChargerConnection, dialect: Dialect): void {
    setDialect(db, connection.chargerId, dialect).catch((error: unknown) => connection.log.warn({ err: error }, 'could not store dialect'));
  }

  const dispatch = createDispatcher({
    config: config.ocpp, bus: cluster.bus, transactions: deps.transactions, authorizer: deps.authorizer, statuses: new ChargerStatusRecorder(db),
    fileJobs: new FileJobProgress(db), securityEvents: new SecurityEventRecorder(db), certificates: new ChargerCertificates(config.certificates), gateway,
    pricePerKwh: (chargerId) => currentPricePerKwh(db, chargerId),
    recordBoot: (chargerId, boot) => boots.add({ chargerId, boot, at: new Date() }),
  });
  const watched = deps.framesWatched;
  const connectionOptions: ConnectionOptions = {
    callTimeoutMs: config.ocpp.callTimeoutMs,
    maxFrameBytes: config.ocpp.maxFrameBytes,
    logger,
    record: (messageLog || watched) && ((connection, direction, frame) => {
      messageLog?.record(connection, direction, frame);
      if (!watched?.has(connection.chargerId)) return;
      cluster.bus.publish('ocppFrame', {
        chargerId: connection.chargerId, direction, at: new Date(), frame: direction === 'out' ? withoutSecrets(frame) : frame,
      }, String(connection.chargerId));
    }),
    seen: (connection) => presence.seen(connection.chargerId),
    dialectChanged: storeDialect,
    observer: deps.observer ?? UNOBSERVED,
  };

  // Frames above maxFrameBytes get a CALLERROR and the connection stays; only absurd
  // ones (over 16× the limit) make the ws library drop the socket.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.max(config.ocpp.maxFrameBytes * 16, 16 * 1024 * 1024),
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  function onConnected(socket: WebSocket, admission: ChargerAdmission, offered: string[]): void {
    if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
      // OCPP-J: no acceptable subprotocol → finish the handshake without one and close.
      socket.close(1002, `${SUBPROTOCOL} required`);
      return;
    }
    const connection = new ChargerConnection(socket, admission, offered, dispatch, connectionOptions);
    // Its sessions are in memory before its first message is handled.
    connection.handleCallsAfter(deps.transactions.prepare(connection.chargerId));
    const replaced = registry.add(connection);
    if (replaced) letGo(replaced, 'replaced by a new connection');
    const hold = cluster.routes.hold(connection.chargerId, gateway.serve(connection));
    holds.set(connection, hold);
    // A node still holding an older socket of this charger (it reconnected here) lets it go.
    cluster.bus.publish('chargerConnected', { chargerId: connection.chargerId, nodeId: cluster.nodeId });
    connection.log.info({ dialect: connection.dialect.kind, subprotocol: socket.protocol || null }, 'charger connected');
    // Shown online once other nodes' commands can reach it here.
    void hold.ready.then(() => {
      if (registry.get(connection.chargerId) === connection) presence.mark(connection, true);
    });
    socket.on('close', (code) => {
      connection.closedDown();
      withdraw(connection);
      if (!registry.remove(connection)) return;
      deps.transactions.release(connection.chargerId);
      connection.log.info({ code }, 'charger disconnected');
      presence.mark(connection, false);
      cluster.bus.publish('chargerDisconnected', { chargerId: connection.chargerId, nodeId: cluster.nodeId });
    });
    socket.on('error', (error) => connection.log.warn({ err: error }, 'socket error'));
  }

  function withdraw(connection: ChargerConnection): void {
    holds.get(connection)?.withdraw();
    holds.delete(connection);
  }

  /** Closes a connection that is no longer the charger's (its closing then changes nothing else). */
  function letGo(connection: ChargerConnection, reason: string): void {
    connection.log.info(reason);
    withdraw(connection);
    connection.closedDown();
    connection.socket.close(1000, reason);
  }

  const stopListening = cluster.bus.subscribe('chargerConnected', ({ chargerId, nodeId }, { local }) => {
    if (local || nodeId === cluster.nodeId) return;
    const stale = registry.get(chargerId);
    if (!stale || !registry.remove(stale)) return;
    // Its sessions now live on the other node; this one forgets them without showing the charger offline.
    deps.transactions.release(chargerId);
    letGo(stale, `connected to node ${nodeId}`);
  });

  async function chargerUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const admission = await admissions.admit(request);
    if (admission instanceof Refusal) {
      // Refused credentials and transports are what an operator looks for; unknown identities are not logged (scanners).
      if (admission.status === 401 || admission.status === 403) {
        logger.warn({ identity: identityFromPath(request.url ?? '/'), remoteAddress: request.socket.remoteAddress, tls: 'encrypted' in request.socket, status: admission.status, reason: admission.message }, 'charger refused');
      }
      return admission;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnected(ws, admission, offeredProtocols(request)));
    return undefined;
  }

  const routes = { charger: chargerUpgrade, user: deps.userUpgrade };
  let server: UpgradeServer;
  let tlsServer: UpgradeServer | undefined;
  try {
    const limits = { upgradeTimeoutMs: config.upgradeTimeoutMs, maxPendingPerAddress: config.ocpp.maxPendingPerAddress };
    server = await startUpgradeServer(config.host, config.ocppPort, routes, logger, limits);
    if (deps.tls && config.tls) {
      tlsServer = await startUpgradeServer(config.host, config.tls.ocppPort, routes, logger, limits, deps.tls.serverOptions()).catch(async (error: unknown) => {
        await server.close();
        throw error;
      });
      deps.tls.attach(tlsServer.server as unknown as Parameters<TlsCredentials['attach']>[0]);
    }
  } catch (error) {
    presence.stop();
    throw error;
  }
  const pingSweep = new PingSweep(config.ocpp.pingIntervalMs, () => registry.values(), (connection) => connection.log.info('no answer to ping, dropping'));

  return {
    port: server.port,
    tlsPort: tlsServer?.port,
    gateway,
    registry,
    reassertPresence() {
      for (const connection of registry.values()) presence.mark(connection, true);
    },
    async close() {
      stopListening();
      pingSweep.stop();
      presence.stop();
      const connections = [...registry.values()];
      const closedAt = new Date();
      for (const connection of connections) {
        withdraw(connection);
        connection.closedDown();
        connection.socket.close(1001, 'server shutting down');
      }
      await new Promise<void>((resolve) => {
        wss.close(() => resolve());
        for (const client of wss.clients) client.terminate();
      });
      await server.close();
      await tlsServer?.close();
      await presence.close(connections.map((connection) => connection.chargerId), closedAt);
      await messageLog?.close();
      await history.close();
    },
  };
}

function offeredProtocols(request: IncomingMessage): string[] {
  return (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}
