import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClusterUnreachableError } from './clusterUnreachable.ts';
import type { Logger } from 'pino';

/** Slow enough not to hammer a restarting server, quick enough that nodes find each other soon after it is back. */
const RECONNECT_WAIT_MS = 500;
/** How long close() lets replies and publishes in flight go out before it cuts the connection. */
const DRAIN_LIMIT_MS = 2_000;

/** The connection to NATS as the bus and the routes use it. */
export interface NatsLink {
  readonly nc: NatsConnection;
  /** First token of every subject. */
  readonly prefix: string;
  readonly logger: Logger;
  /** False while the connection is down and being re-established, and after close. */
  readonly connected: boolean;
  /** Calls `lost` when the connection drops or closes; returns the way to stop waiting for it. */
  whenLost(lost: () => void): () => void;
  close(): Promise<void>;
}

export interface NatsLinkOptions {
  /** Comma-separated nats:// URLs. */
  servers: string;
  /** First token of every subject, so several systems can share one NATS. */
  prefix: string;
  nodeId: string;
  logger: Logger;
}

/** Connects, or fails with one line naming NATS_URL when no server answers now; afterwards it reconnects forever. */
export async function openNatsLink({ servers, prefix, nodeId, logger }: NatsLinkOptions): Promise<NatsLink> {
  const urls = servers.split(',').map((url) => url.trim()).filter(Boolean);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: urls,
      name: nodeId,
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      waitOnFirstConnect: false,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ClusterUnreachableError(`Cannot reach NATS at ${urls.join(',')} (NATS_URL): ${reason}`, { cause: error });
  }
  return new Link(nc, prefix, logger);
}

class Link implements NatsLink {
  #connected = true;
  readonly #lostListeners = new Set<() => void>();

  constructor(
    readonly nc: NatsConnection,
    readonly prefix: string,
    readonly logger: Logger,
  ) {
    void this.#watch();
    void nc.closed().then((error) => {
      // It reconnects forever, so only close() or a failure it cannot retry (such as refused credentials) ends it.
      if (error) logger.error({ err: error }, 'NATS connection closed; other nodes cannot be reached until this node restarts');
      this.#lose();
    });
  }

  get connected(): boolean {
    return this.#connected;
  }

  whenLost(lost: () => void): () => void {
    this.#lostListeners.add(lost);
    return () => this.#lostListeners.delete(lost);
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), DRAIN_LIMIT_MS)));
    const drained = this.nc.drain().then(
      () => 'drained' as const,
      // Draining a connection that is down fails; closing it is all that is left to do.
      () => 'failed' as const,
    );
    const outcome = await Promise.race([drained, limit]);
    clearTimeout(timer);
    if (outcome !== 'drained') await this.nc.close();
  }

  /** The client tells of each failed reconnect attempt too; only changes of state are logged. */
  async #watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' && this.#connected) {
        this.logger.warn({ server: status.server }, 'NATS connection lost; other nodes cannot be reached until it is back');
        this.#lose();
      } else if (status.type === 'reconnect' && !this.#connected) {
        this.#connected = true;
        this.logger.info({ server: status.server }, 'NATS connection back');
      }
    }
  }

  #lose(): void {
    this.#connected = false;
    for (const lost of [...this.#lostListeners]) lost();
  }
}
