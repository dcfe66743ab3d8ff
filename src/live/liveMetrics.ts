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

/** A user's socket, with the token it was opened with (it ends when the token does). */
interface LiveSocket extends Pingable {
  claims: AccessClaims;
  expiry?: NodeJS.Timeout;
}

/** The close code of a socket whose access ended (an application code in the 4000s, like HTTP 401). */
export const ACCESS_ENDED = 4401;
/** The longest setTimeout delay; a token valid longer is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LiveMetricsDeps {
  tokens: AccessTokens;
  /** Whether a token's user may still act (checked at the upgrade). */
  isActive: (claims: AccessClaims) => Promise<boolean>;
  /** The current token versions of those of the users that may still act: one query for all sockets here. */
  activeTokenVersions: (userIds: readonly UserId[]) => Promise<Map<UserId, number>>;
  bus: Bus;
  logger: Logger;
  pingIntervalMs: number;
  /** How often the users of the open sockets are checked again (disabled, deleted, signed out). */
  authCheckIntervalMs: number;
}

interface UserSockets {
  sockets: Set<LiveSocket>;
  /** Stops hearing this user's readings (from any node) once the user's last socket here closes. */
  unsubscribe: () => void;
}

/**
 * `ws://host:1337/user/<userId>`: a signed-in user's devices receive every MeterValues
 * of that user's running sessions, at once, whichever node their charger is on. The
 * access token comes as `?token=` or as `Authorization: Bearer`; it must belong to that user.
 * A socket lasts as long as its token: it is closed (4401) when the token expires, and
 * within `authCheckIntervalMs` of the account being disabled, deleted or signed out
 * everywhere (a password change): the database is asked, for every socket on this node at
 * once, which users are still active with which token version.
 */
export class LiveMetrics {
  readonly #users = new Map<UserId, UserSockets>();
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 });
  readonly #pingSweep: PingSweep<Pingable>;
  readonly #authCheck: NodeJS.Timeout;
  #checking = false;
  private readonly tokens: AccessTokens;
  private readonly isActive: LiveMetricsDeps['isActive'];
  private readonly bus: Bus;
  private readonly logger: Logger;

  constructor(private readonly deps: LiveMetricsDeps) {
    ({ tokens: this.tokens, isActive: this.isActive, bus: this.bus, logger: this.logger } = deps);
    this.#pingSweep = new PingSweep(deps.pingIntervalMs, () => this.#watched());
    this.#authCheck = setInterval(() => void this.#checkAccess(), deps.authCheckIntervalMs);
    this.#authCheck.unref();
  }

  /** Closes the sockets whose user was disabled, deleted or signed out everywhere since they opened. */
  async #checkAccess(): Promise<void> {
    if (this.#checking || this.#users.size === 0) return;
    this.#checking = true;
    try {
      const versions = await this.deps.activeTokenVersions([...this.#users.keys()]);
      for (const [userId, { sockets }] of this.#users) {
        for (const entry of sockets) {
          if (versions.get(userId) !== entry.claims.tokenVersion) entry.socket.close(ACCESS_ENDED, 'account disabled or signed out');
        }
      }
    } catch (error) {
      // The database away: the sockets stay until it answers again.
      this.logger.warn({ err: error }, 'could not check the live sockets\' users');
    } finally {
      this.#checking = false;
    }
  }

  /** Closes the socket when its token expires. */
  #expireAt(entry: LiveSocket): void {
    const expiresAt = entry.claims.expiresAt;
    if (expiresAt === undefined) return;
    const remaining = expiresAt - Date.now();
    if (remaining <= 0) {
      entry.socket.close(ACCESS_ENDED, 'access token expired');
      return;
    }
    entry.expiry = setTimeout(() => this.#expireAt(entry), Math.min(remaining, MAX_TIMER_MS));
    entry.expiry.unref();
  }

  /** Sockets open per user; a user without sockets has no entry. */
  get users(): number {
    return this.#users.size;
  }

  /** Open sockets, every user's. */
  get sockets(): number {
    let count = 0;
    for (const { sockets } of this.#users.values()) count += sockets.size;
    return count;
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
    let claims: AccessClaims;
    try {
      claims = await this.tokens.verify(token);
      if (!Number.isInteger(userId) || claims.userId !== userId || !(await this.isActive(claims))) return NOT_THIS_USER;
    } catch {
      return INVALID_TOKEN;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#register(userId, ws, claims));
    return undefined;
  }

  #register(userId: UserId, ws: WebSocket, claims: AccessClaims): void {
    let user = this.#users.get(userId);
    if (!user) {
      user = { sockets: new Set(), unsubscribe: this.bus.subscribe('meterValues', (event) => this.#publish(event), String(userId)) };
      this.#users.set(userId, user);
    }
    const { sockets } = user;
    const entry: LiveSocket = { socket: ws, alive: true, claims };
    sockets.add(entry);
    this.#expireAt(entry);
    ws.on('pong', () => { entry.alive = true; });
    // What a user sends on this socket means nothing to us.
    ws.on('message', () => undefined);
    ws.on('error', (error) => this.logger.debug({ err: error, userId }, 'live socket error'));
    ws.on('close', () => {
      clearTimeout(entry.expiry);
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
    clearInterval(this.#authCheck);
    for (const { sockets, unsubscribe } of this.#users.values()) {
      unsubscribe();
      for (const { socket, expiry } of sockets) {
        clearTimeout(expiry);
        socket.close(1001, 'server shutting down');
      }
    }
    this.#wss.close();
  }
}
