import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { Batcher } from '../db/batcher.ts';
import {
  findChargersByIdentity, LastSeenTracker, markAllOffline, recordBoots, registerUnknownCharger, setConnected, setDialect,
  type BootRecord, type ChargerAdmission, type Presence,
} from '../domain/chargerPresence.ts';
import type { Authorizer } from '../domain/authorization.ts';
import type { ChargingEvents } from '../domain/events.ts';
import type { TransactionRecorder } from '../domain/transactions.ts';
import { verifyPassword } from '../domain/passwords.ts';
import type { Dialect } from '../domain/units.ts';
import { OcppGateway } from './commands.ts';
import { ChargerConnection, type ConnectionOptions } from './connection.ts';
import { createDispatcher } from './handlers/index.ts';
import { MessageLog } from './messageLog.ts';
import { ConnectionRegistry } from './registry.ts';

const SUBPROTOCOL = 'ocpp1.6';
const LAST_SEEN_FLUSH_MS = 5000;
/**
 * How long admission lookups, presence changes and boots wait for company before one
 * statement stores them all: a few ms per charger buys batches of hundreds in a storm.
 */
const BATCH_WINDOW_MS = 10;

export interface OcppServer {
  port: number;
  gateway: OcppGateway;
  registry: ConnectionRegistry;
  close(): Promise<void>;
}

export interface OcppServerDeps {
  db: Db;
  config: Config;
  events: ChargingEvents;
  transactions: TransactionRecorder;
  authorizer: Authorizer;
  logger: Logger;
  /** Upgrades on `/user/<id>` (live metrics for apps) share the port with chargers. */
  userUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer, userId: string) => Promise<void>;
}

/** Answers an upgrade request with a plain HTTP status and closes the socket. */
function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ status, message });
  const lines = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * What an identity may not hold: `:` (it doubles as the Basic-Auth user name, ocpp-j-rules
 * §1.1) and control characters (C0, DEL, C1). NUL in particular: PostgreSQL text cannot hold
 * it, and the lookup batches identities from many upgrades into one statement
 * (`admissions`), so one such identity would fail every upgrade in its batch.
 */
const FORBIDDEN_IN_IDENTITY = /[:\u0000-\u001f\u007f-\u009f]/;

/**
 * The charge point identity: the last path segment, percent-decoded (`/charger/<id>`,
 * `/connector/<id>`, `/<any>/<id>`); undefined when there is none or it cannot be one
 * (the upgrade is then refused with 404, like an unknown identity).
 */
export function identityFromPath(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const last = path.split('/').filter(Boolean).at(-1);
  if (!last) return undefined;
  let identity: string;
  try {
    identity = decodeURIComponent(last);
  } catch {
    return undefined;
  }
  return FORBIDDEN_IN_IDENTITY.test(identity) ? undefined : identity;
}

function offeredProtocols(request: IncomingMessage): string[] {
  return (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

/**
 * OCPP security profile 1: HTTP Basic with the identity as user name. Successful
 * credentials are remembered (by hash) so a reconnect storm does not re-run argon2
 * for every charger.
 */
class BasicAuth {
  readonly #verified = new Map<string, string>();

  async check(admission: ChargerAdmission, header: string | undefined): Promise<boolean> {
    if (!admission.passwordHash) return true;
    if (!header?.startsWith('Basic ')) return false;
    const key = `${admission.id}:${createHash('sha256').update(header).digest('base64')}`;
    if (this.#verified.get(key) === admission.passwordHash) return true;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== admission.identity) return false;
    const ok = await verifyPassword(admission.passwordHash, decoded.slice(colon + 1));
    if (ok) this.#verified.set(key, admission.passwordHash);
    return ok;
  }
}

/** The WebSocket server for chargers on OCPP_PORT. */
export async function startOcppServer(deps: OcppServerDeps): Promise<OcppServer> {
  const { db, config, events } = deps;
  const logger = deps.logger.child({ component: 'ocpp' });
  const registry = new ConnectionRegistry();
  const gateway = new OcppGateway(registry);
  const lastSeen = new LastSeenTracker(db);
  const messageLog = config.ocpp.messageLog ? new MessageLog(db, logger) : undefined;
  const basicAuth = new BasicAuth();
  // A reconnect storm becomes a few statements per batch instead of several per charger.
  const admissions = new Batcher<string, ChargerAdmission | undefined>((identities) => findChargersByIdentity(db, identities), BATCH_WINDOW_MS);
  const presence = new Batcher<Presence, void>(async (changes) => {
    await setConnected(db, changes);
    return changes.map(() => undefined);
  }, BATCH_WINDOW_MS);
  const boots = new Batcher<BootRecord, ChargerAdmission['registrationStatus']>((records) => recordBoots(db, records), BATCH_WINDOW_MS);
  const markPresence = (connection: ChargerConnection, online: boolean) => {
    presence.add({ chargerId: connection.chargerId, online, at: new Date() })
      .catch((error: unknown) => connection.log.warn({ err: error }, `could not mark ${online ? 'online' : 'offline'}`));
  };

  await markAllOffline(db);

  /** The charger's next connection starts from the dialect it turned out to speak. */
  function storeDialect(connection: ChargerConnection, dialect: Dialect): void {
    setDialect(db, connection.chargerId, dialect).catch((error: unknown) => connection.log.warn({ err: error }, 'could not store dialect'));
  }

  const dispatch = createDispatcher({
    db, config: config.ocpp, events, transactions: deps.transactions, authorizer: deps.authorizer, logger,
    recordBoot: (chargerId, boot) => boots.add({ chargerId, boot, at: new Date() }),
  });
  const connectionOptions: ConnectionOptions = {
    callTimeoutMs: config.ocpp.callTimeoutMs,
    maxFrameBytes: config.ocpp.maxFrameBytes,
    logger,
    record: messageLog && ((connection, direction, frame) => messageLog.record(connection, direction, frame)),
    seen: (connection) => lastSeen.seen(connection.chargerId),
    dialectChanged: storeDialect,
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
    if (replaced) {
      replaced.log.info('replaced by a new connection');
      replaced.closedDown();
      replaced.socket.close(1000, 'replaced by a new connection');
    }
    connection.log.info({ dialect: connection.dialect.kind, subprotocol: socket.protocol || null }, 'charger connected');
    markPresence(connection, true);
    socket.on('close', (code) => {
      connection.closedDown();
      if (!registry.remove(connection)) return;
      deps.transactions.release(connection.chargerId);
      connection.log.info({ code }, 'charger disconnected');
      markPresence(connection, false);
    });
    socket.on('error', (error) => connection.log.warn({ err: error }, 'socket error'));
  }

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const segments = (request.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
    if (segments[0] === 'user' && segments.length === 2 && deps.userUpgrade) return deps.userUpgrade(request, socket, head, segments[1]!);
    const identity = identityFromPath(request.url ?? '/');
    if (!identity) return refuse(socket, 404, 'No charge point identity in the path');
    let admission = await admissions.add(identity);
    if (!admission && config.ocpp.autoRegister && identity.length <= 36) admission = await registerUnknownCharger(db, identity);
    if (!admission) return refuse(socket, 404, 'Unknown charge point');
    if (!(await basicAuth.check(admission, request.headers.authorization))) {
      return refuse(socket, 401, 'Wrong or missing credentials', { 'WWW-Authenticate': 'Basic realm="FlexiCharge OCPP"' });
    }
    const found = admission;
    wss.handleUpgrade(request, socket, head, (ws) => onConnected(ws, found, offeredProtocols(request)));
  }

  const server = http.createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    response.end(JSON.stringify({ status: 426, message: 'Connect with WebSocket to /charger/<serial number>' }));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    onUpgrade(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'upgrade failed');
      refuse(socket, 503, 'The central system cannot admit chargers right now');
    });
  });

  // One sweep for all connections: a socket that sent nothing and answered no ping since
  // the last sweep is dead (half-open) and dropped.
  const pingTimer = setInterval(() => {
    for (const connection of registry.values()) {
      if (!connection.alive) {
        connection.log.info('no answer to ping, dropping');
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, config.ocpp.pingIntervalMs);
  const lastSeenTimer = setInterval(() => {
    lastSeen.flush().catch((error: unknown) => logger.warn({ err: error }, 'could not store last-seen times'));
  }, LAST_SEEN_FLUSH_MS);

  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.ocppPort, config.host, resolve));

  return {
    port: (server.address() as AddressInfo).port,
    gateway,
    registry,
    async close() {
      clearInterval(pingTimer);
      clearInterval(lastSeenTimer);
      const connections = [...registry.values()];
      for (const connection of connections) {
        connection.closedDown();
        connection.socket.close(1001, 'server shutting down');
      }
      await new Promise<void>((resolve) => {
        wss.close(() => resolve());
        for (const client of wss.clients) client.terminate();
      });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await presence.drain();
      await lastSeen.flush().catch(() => {});
      await messageLog?.close();
      if (connections.length) {
        await setConnected(db, connections.map((connection) => ({ chargerId: connection.chargerId, online: false, at: new Date() }))).catch(() => {});
      }
    },
  };
}
