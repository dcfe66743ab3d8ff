import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChargingEvents, MeterValuesEvent } from '../domain/events.ts';
import type { AccessClaims, AccessTokens } from '../domain/tokens.ts';
import type { UserId } from '../domain/units.ts';
import { liveValuesFrame } from '../ocpp/dialect/valuesFrame.ts';

/** Answers an upgrade with an HTTP status and closes. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ status, message });
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * `ws://host:1337/user/<userId>`: a signed-in user's devices receive every MeterValues
 * of that user's running sessions, at once. The access token comes as `?token=` or as
 * `Authorization: Bearer`; it must belong to that user.
 */
export class LiveMetrics {
  readonly #sockets = new Map<UserId, Set<WebSocket>>();
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 });
  readonly #ping: NodeJS.Timeout;
  readonly #alive = new WeakSet<WebSocket>();

  constructor(
    private readonly tokens: AccessTokens,
    private readonly isActive: (claims: AccessClaims) => Promise<boolean>,
    events: ChargingEvents,
    private readonly logger: Logger,
    pingIntervalMs: number,
  ) {
    events.on('meterValues', (event) => this.publish(event));
    this.#ping = setInterval(() => this.#sweep(), pingIntervalMs);
    this.#ping.unref();
  }

  /** Sockets open per user; a user without sockets has no entry. */
  get users(): number {
    return this.#sockets.size;
  }

  publish(event: MeterValuesEvent): void {
    const userId = event.summary.userId;
    const sockets = userId === null ? undefined : this.#sockets.get(userId);
    if (!sockets) return;
    const frame = liveValuesFrame(event);
    for (const socket of sockets) socket.send(frame);
  }

  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, pathUserId: string): Promise<void> {
    const userId = Number(pathUserId);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const header = request.headers.authorization;
    const token = url.searchParams.get('token') ?? (header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined);
    if (!token) return refuse(socket, 401, 'An access token is required (?token= or Authorization: Bearer)');
    try {
      const claims = await this.tokens.verify(token);
      if (!Number.isInteger(userId) || claims.userId !== userId || !(await this.isActive(claims))) return refuse(socket, 401, 'The token does not belong to this user');
    } catch {
      return refuse(socket, 401, 'Invalid or expired access token');
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#register(userId, ws));
  }

  #register(userId: UserId, ws: WebSocket): void {
    let sockets = this.#sockets.get(userId);
    if (!sockets) this.#sockets.set(userId, (sockets = new Set()));
    sockets.add(ws);
    this.#alive.add(ws);
    ws.on('pong', () => this.#alive.add(ws));
    // What a user sends on this socket means nothing to us.
    ws.on('message', () => undefined);
    ws.on('error', (error) => this.logger.debug({ err: error, userId }, 'live socket error'));
    ws.on('close', () => {
      sockets.delete(ws);
      if (sockets.size === 0 && this.#sockets.get(userId) === sockets) this.#sockets.delete(userId);
    });
  }

  #sweep(): void {
    for (const sockets of this.#sockets.values()) {
      for (const ws of sockets) {
        if (!this.#alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.#alive.delete(ws);
        ws.ping();
      }
    }
  }

  close(): void {
    clearInterval(this.#ping);
    for (const sockets of this.#sockets.values()) for (const ws of sockets) ws.close(1001, 'server shutting down');
    this.#wss.close();
  }
}
