import type { WebSocket } from 'ws';

/** A socket under watch: each sweep clears `alive`; its owner sets it on every sign of life (a pong, a frame). */
export interface Pingable {
  alive: boolean;
  readonly socket: WebSocket;
}

/**
 * One timer for many sockets, not one per socket: at each sweep a socket that showed no
 * sign of life since the last one is dead (half-open) and dropped, every other is pinged.
 */
export class PingSweep<T extends Pingable> {
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number, watched: () => Iterable<T>, dropped: (target: T) => void = () => undefined) {
    this.#timer = setInterval(() => {
      for (const target of watched()) {
        if (!target.alive) {
          dropped(target);
          target.socket.terminate();
          continue;
        }
        target.alive = false;
        target.socket.ping();
      }
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
