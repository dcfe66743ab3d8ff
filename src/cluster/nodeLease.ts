import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import { releaseJobLease, takeJobLease } from '../domain/jobLeases.ts';
import { endNodeLease, releaseLapsedNodes, renewNodeLease } from '../domain/nodeLeases.ts';
import type { ChargerId } from '../domain/units.ts';

/** The lease of the work that must happen once among the nodes (cluster-wide sweeps, invoicing). */
const HOUSEKEEPING = 'housekeeping';

export interface NodeLeaseOptions {
  nodeId: string;
  ttlMs: number;
  logger: Logger;
  /** This node's lease had lapsed (the database was away longer than the lease): the others showed its chargers offline. */
  lapsed(): void;
  /** These chargers, shown online by nodes whose lease lapsed, were just shown offline. */
  released(chargerIds: ChargerId[]): void;
}

/**
 * This node's life among the others, kept in PostgreSQL next to the chargers it concerns:
 * a lease renewed every third of its term, and the housekeeping lease that makes one node
 * at a time the one that runs once-only work. The housekeeper also shows the chargers of
 * nodes whose lease lapsed (they died) offline. PostgreSQL rather than NATS KV: the
 * charger rows the lease decides about are there, so one statement sees both.
 */
export class NodeLease {
  readonly #timer: NodeJS.Timeout;
  #renewedAt = Date.now();
  #housekeeperUntil = 0;
  #tick: Promise<void> = Promise.resolve();

  static async start(db: Db, options: NodeLeaseOptions): Promise<NodeLease> {
    await renewNodeLease(db, options.nodeId, options.ttlMs);
    const lease = new NodeLease(db, options);
    await lease.#renew();
    return lease;
  }

  private constructor(private readonly db: Db, private readonly options: NodeLeaseOptions) {
    this.#timer = setInterval(() => { this.#tick = this.#tick.then(() => this.#renew()); }, Math.max(200, Math.floor(options.ttlMs / 3)));
    this.#timer.unref();
  }

  /** Whether this node runs the once-only work now (it renewed the housekeeping lease within its term). */
  get housekeeper(): boolean {
    return Date.now() < this.#housekeeperUntil;
  }

  async #renew(): Promise<void> {
    const { db, options } = this;
    const startedAt = Date.now();
    try {
      await renewNodeLease(db, options.nodeId, options.ttlMs);
      if (startedAt - this.#renewedAt > options.ttlMs) {
        options.logger.warn({ lapsedForMs: startedAt - this.#renewedAt - options.ttlMs }, 'this node\'s lease had lapsed; showing its chargers online again');
        options.lapsed();
      }
      this.#renewedAt = startedAt;
      const housekeeper = await takeJobLease(db, HOUSEKEEPING, options.nodeId, options.ttlMs);
      if (housekeeper !== this.housekeeper) options.logger.info({ housekeeper }, housekeeper ? 'this node does the housekeeping now' : 'another node does the housekeeping now');
      this.#housekeeperUntil = housekeeper ? startedAt + options.ttlMs : 0;
      if (housekeeper) {
        const released = await releaseLapsedNodes(db);
        if (released.length > 0) {
          options.logger.warn({ chargers: released.length }, 'chargers of nodes that stopped renewing their lease shown offline');
          options.released(released);
        }
      }
    } catch (error) {
      options.logger.warn({ err: error }, 'could not renew this node\'s lease');
    }
  }

  /** A graceful stop: the lease ends now and this node's chargers go offline, with no wait for a lapse. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
    this.#housekeeperUntil = 0;
    await releaseJobLease(this.db, HOUSEKEEPING, this.options.nodeId).catch(() => undefined);
    await endNodeLease(this.db, this.options.nodeId).catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not end this node\'s lease'));
  }
}
