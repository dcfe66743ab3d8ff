import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Bus, MeterValuesEvent } from '../domain/bus.ts';
import type { AccessClaims, AccessTokens } from '../domain/tokens.ts';
import type { UserId } from '../domain/units.ts';
import { liveValuesFrame } from '../ocpp/dialect/valuesFrame.ts';
import { PingSweep, type Pingable } from '../ocpp/pingSweep.ts';
import { Refusal } from '../ocpp/upgradeServer.ts';

const NO_TOKEN = new Refusal(401, 'An access token is required (?token= or Authorization: Bearer)');
const NOT_THIS_USER = new Refusal(401, 'The token does not belong to this user');
const INVALID_TOKEN = new Refusal(401, 'Invalid or expired access token');

interface UserSockets {
  sockets: Set<Pingable>;
  /** Stops hearing this user's readings (from any node) once the user's last socket here closes. */
  unsubscribe: () => void;
}

/**
 * `ws://host:1337/user/<userId>`: a signed-in user's devices receive every MeterValues
 * of that user's running sessions, at once, whichever node their charger is on. The
 * access token comes as `?token=` or as `Authorization: Bearer`; it must belong to that user.
 */
export class LiveMetrics {
  readonly #users = new Map<UserId, UserSockets>();
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 });
  readonly #pingSweep: PingSweep<Pingable>;

  constructor(
    private readonly tokens: AccessTokens,
    private readonly isActive: (claims: AccessClaims) => Promise<boolean>,
    private readonly bus: Bus,
    private readonly logger: Logger,
    pingIntervalMs: number,
  ) {
    this.#pingSweep = new PingSweep(pingIntervalMs, () => this.#watched());
  }

  /** Sockets open per user; a user without sockets has no entry. */
  get users(): number {
    return this.#users.size;
  }

  #publish(event: MeterValuesEvent): void {
    const userId = event.summary.userId;
    const user = userId === null ? undefined : this.#users.get(userId);
    if (!user) return;
    const frame = liveValuesFrame(event);
    for (const { socket } of user.sockets) socket.send(frame);
  }

  /** Serves `/user/<pathUserId>`, or says why not (the OCPP server answers with it). */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, pathUserId: string): Promise<Refusal | undefined> {
    const userId = Number(pathUserId);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const header = request.headers.authorization;
    const token = url.searchParams.get('token') ?? (header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined);
    if (!token) return NO_TOKEN;
    try {
      const claims = await this.tokens.verify(token);
      if (!Number.isInteger(userId) || claims.userId !== userId || !(await this.isActive(claims))) return NOT_THIS_USER;
    } catch {
      return INVALID_TOKEN;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#register(userId, ws));
    return undefined;
  }

  #register(userId: UserId, ws: WebSocket): void {
    let user = this.#users.get(userId);
    if (!user) {
      user = { sockets: new Set(), unsubscribe: this.bus.subscribe('meterValues', (event) => this.#publish(event), String(userId)) };
      this.#users.set(userId, user);
    }
    const { sockets } = user;
    const entry: Pingable = { socket: ws, alive: true };
    sockets.add(entry);
    ws.on('pong', () => { entry.alive = true; });
    // What a user sends on this socket means nothing to us.
    ws.on('message', () => undefined);
    ws.on('error', (error) => this.logger.debug({ err: error, userId }, 'live socket error'));
    ws.on('close', () => {
      sockets.delete(entry);
      if (sockets.size === 0 && this.#users.get(userId) === user) {
        user.unsubscribe();
        this.#users.delete(userId);
      }
    });
  }

  *#watched(): Iterable<Pingable> {
    for (const { sockets } of this.#users.values()) yield* sockets;
  }

  close(): void {
    this.#pingSweep.stop();
    for (const { sockets, unsubscribe } of this.#users.values()) {
      unsubscribe();
      for (const { socket } of sockets) socket.close(1001, 'server shutting down');
    }
    this.#wss.close();
  }
}
