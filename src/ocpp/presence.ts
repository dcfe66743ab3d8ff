import type { Logger } from 'pino';
import type { Cluster } from '../cluster/cluster.ts';
import type { Db } from '../db/connection.ts';
import { Batcher } from '../db/batcher.ts';
import { LastSeenTracker, markAllOffline, setConnected, type Presence } from '../domain/chargerPresence.ts';
import type { ChargerId } from '../domain/units.ts';
import type { ChargerConnection } from './connection.ts';

const LAST_SEEN_FLUSH_MS = 5000;

/**
 * Whether each charger is connected and when it was last heard from, as the database
 * shows it: comings and goings stored in batches (a reconnect storm costs a few
 * statements), last-seen times kept in memory and stored every few seconds.
 */
export class ChargerPresence {
  readonly #changes: Batcher<Presence, void>;
  readonly #lastSeen: LastSeenTracker;
  readonly #flushTimer: NodeJS.Timeout;

  /**
   * A single node starts with every charger offline: after a restart no socket from before
   * is alive. Among several nodes a start changes nothing: the others' chargers are theirs,
   * and a dead node's go offline when its lease lapses (cluster/nodeLease.ts).
   */
  static async start(db: Db, cluster: Pick<Cluster, 'nodeId' | 'several'>, batchWindowMs: number, logger: Logger): Promise<ChargerPresence> {
    if (!cluster.several) await markAllOffline(db);
    return new ChargerPresence(db, cluster.nodeId, batchWindowMs, logger);
  }

  private constructor(private readonly db: Db, private readonly nodeId: string, batchWindowMs: number, logger: Logger) {
    this.#changes = new Batcher<Presence, void>(async (changes) => {
      await setConnected(db, nodeId, changes);
      return changes.map(() => undefined);
    }, batchWindowMs);
    this.#lastSeen = new LastSeenTracker(db);
    this.#flushTimer = setInterval(() => {
      this.#lastSeen.flush().catch((error: unknown) => logger.warn({ err: error }, 'could not store last-seen times'));
    }, LAST_SEEN_FLUSH_MS);
  }

  /** The charger connected (online) or its connection ended (offline). */
  mark(connection: ChargerConnection, online: boolean): void {
    this.#changes.add({ chargerId: connection.chargerId, online, at: new Date() })
      .catch((error: unknown) => connection.log.warn({ err: error }, `could not mark ${online ? 'online' : 'offline'}`));
  }

  /** A frame arrived: proof of life. */
  seen(chargerId: ChargerId): void {
    this.#lastSeen.seen(chargerId);
  }

  /** Stops the flush timer; call first on shutdown, then `close` once the sockets are closed. */
  stop(): void {
    clearInterval(this.#flushTimer);
  }

  /**
   * Stores what is pending, and `stillConnected` (the chargers connected when the server
   * stopped) as offline `at` the moment their sockets were closed: one that reconnected to
   * another node since is newer there, whichever node stores its change first.
   */
  async close(stillConnected: ChargerId[], at: Date): Promise<void> {
    await this.#changes.drain();
    await this.#lastSeen.flush().catch(() => {});
    if (stillConnected.length) {
      await setConnected(this.db, this.nodeId, stillConnected.map((chargerId) => ({ chargerId, online: false, at }))).catch(() => {});
    }
  }
}
