import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
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
  /** The listening server (an https.Server when started with `tls`). */
  server: http.Server;
  /** Stops listening and drops the connections that were not upgraded; close the WebSockets first. */
  close(): Promise<void>;
}

const UNAVAILABLE = new Refusal(503, 'The central system cannot admit chargers right now');

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
export async function startUpgradeServer(host: string, port: number, routes: UpgradeRoutes, logger: Logger, tls?: https.ServerOptions): Promise<UpgradeServer> {
  const answer = (_request: IncomingMessage, response: http.ServerResponse) => {
    response.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    response.end(JSON.stringify({ status: 426, message: 'Connect with WebSocket to /charger/<serial number>' }));
  };
  const server: http.Server = tls ? https.createServer(tls, answer) : http.createServer(answer);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    route(routes, request, socket, head)
      .then((refusal) => {
        if (refusal) refuse(socket, refusal);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuse(socket, UNAVAILABLE);
      });
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
