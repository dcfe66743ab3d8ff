import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** Why an upgrade is not served: answered with a plain HTTP status before the socket closes. */
export class Refusal {
  constructor(readonly status: number, readonly message: string, readonly headers: Record<string, string> = {}) {}
}

/** Completes the handshake of an upgrade, or says why not. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => Promise<Refusal | undefined>;

export interface UpgradeRoutes {
  /** Every path but `/user/<id>`: a charger, named by the last path segment. */
  charger: UpgradeHandler;
  /** `/user/<id>`: live metrics for the apps, on the chargers' port. */
  user?: (request: IncomingMessage, socket: Duplex, head: Buffer, userId: string) => Promise<Refusal | undefined>;
}

export interface UpgradeServer {
  port: number;
  /** The listening server (an https.Server with `tls`), for its secure context. */
  server: http.Server;
  /** Stops listening and drops the connections that were not upgraded; close the WebSockets first. */
  close(): Promise<void>;
}

const UNAVAILABLE = new Refusal(503, 'The central system cannot admit chargers right now');

/** How long connections may take before they are WebSockets, and how many one address may have waiting. */
export interface UpgradeLimits {
  /** Request headers must be complete this long after the connection opens (or after the previous request); the connection is closed otherwise. */
  upgradeTimeoutMs: number;
  /** Connections of one remote address not yet upgraded (headers unfinished, or being admitted); beyond it new ones get 503. */
  maxPendingPerAddress: number;
}

/** How often a refused address is logged at most. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * Node's HTTP server options that close a connection whose request headers are not complete
 * within `timeoutMs` (a silent one included), checked often enough to be prompt.
 */
export function headerDeadline(timeoutMs: number): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  return { headersTimeout: timeoutMs, requestTimeout: 0, connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(timeoutMs / 4))) };
}

const BUSY = (() => {
  const body = JSON.stringify({ status: 503, message: 'Too many connections from this address are waiting to upgrade; try again later' });
  return `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\nRetry-After: 10\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
})();

function refuse(socket: Duplex, { status, message, headers }: Refusal): void {
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

function route(routes: UpgradeRoutes, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<Refusal | undefined> {
  const segments = (request.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
  if (segments[0] === 'user' && segments.length === 2 && routes.user) return routes.user(request, socket, head, segments[1]!);
  return routes.charger(request, socket, head);
}

/**
 * The HTTP server on OCPP_PORT (or, with `tls`, the HTTPS server on OCPP_TLS_PORT): it only
 * upgrades to WebSocket, and routes each upgrade by its path.
 */
export async function startUpgradeServer(
  host: string, port: number, routes: UpgradeRoutes, logger: Logger, limits: UpgradeLimits, tls?: https.ServerOptions,
): Promise<UpgradeServer> {
  /** Connections not yet upgraded, per remote address; each releases its place once (upgraded, refused or closed). */
  const pending = new Map<string, number>();
  const release = new WeakMap<Duplex, () => void>();
  /** Connections refused for the cap: nothing they send is served. */
  const refused = new WeakSet<Duplex>();
  const lastLogged = new Map<string, number>();

  function noteRefusal(address: string): void {
    const now = Date.now();
    if (now - (lastLogged.get(address) ?? -Infinity) < REFUSAL_LOG_INTERVAL_MS) return;
    for (const [other, at] of lastLogged) if (now - at >= REFUSAL_LOG_INTERVAL_MS) lastLogged.delete(other);
    lastLogged.set(address, now);
    logger.warn({ address, maxPendingPerAddress: limits.maxPendingPerAddress }, 'too many connections from one address waiting to upgrade; refusing new ones (logged once a minute)');
  }

  const answer = (request: IncomingMessage, response: http.ServerResponse) => {
    if (refused.has(request.socket)) return void request.socket.destroy();
    response.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    response.end(JSON.stringify({ status: 426, message: 'Connect with WebSocket to /charger/<serial number>' }));
  };
  const server: http.Server = tls
    ? https.createServer({ ...tls, ...headerDeadline(limits.upgradeTimeoutMs), handshakeTimeout: limits.upgradeTimeoutMs }, answer)
    : http.createServer(headerDeadline(limits.upgradeTimeoutMs), answer);
  // Over TLS the socket an upgrade comes on is the TLS one, known once the handshake is done.
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = pending.get(address) ?? 0;
    if (count >= limits.maxPendingPerAddress) {
      refused.add(socket);
      noteRefusal(address);
      socket.on('error', () => socket.destroy());
      socket.end(BUSY, () => socket.destroy());
      return;
    }
    pending.set(address, count + 1);
    let held = true;
    const done = () => {
      if (!held) return;
      held = false;
      const left = (pending.get(address) ?? 1) - 1;
      if (left <= 0) pending.delete(address);
      else pending.set(address, left);
    };
    release.set(socket, done);
    socket.once('close', done);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (refused.has(socket)) return void socket.destroy();
    route(routes, request, socket, head)
      .then((refusal) => {
        if (refusal) refuse(socket, refusal);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuse(socket, UNAVAILABLE);
      })
      .finally(() => release.get(socket)?.());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
