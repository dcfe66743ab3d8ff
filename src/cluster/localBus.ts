import type { Bus, BusEventName, BusEvents, BusListener, EventOrigin } from '../domain/bus.ts';

const ALL = '*';
const LOCAL: EventOrigin = { local: true };

type AnyListener = (event: unknown, origin: EventOrigin) => void;

/**
 * The bus within one process: listeners by event and topic. The NATS bus uses it for its
 * own node's listeners too, so local delivery never waits for the network.
 */
export class LocalBus implements Bus {
  readonly #listeners = new Map<string, Set<AnyListener>>();

  constructor(readonly nodeId: string) {}

  publish<K extends BusEventName>(name: K, event: BusEvents[K], topic?: string): void {
    this.deliver(name, event, topic, LOCAL);
  }

  /** Calls the listeners of `name` for `topic` and for all topics; listeners handle their own failures. */
  deliver(name: BusEventName, event: unknown, topic: string | undefined, origin: EventOrigin): void {
    if (topic !== undefined) this.deliverOnly(name, event, topic, origin);
    this.deliverOnly(name, event, undefined, origin);
  }

  /**
   * Calls only the listeners of exactly `topic`, or only those of all topics when it is
   * undefined: another node's event arrives once per NATS subscription that matches it,
   * one for its topic and one for all topics, and each reaches its own listeners.
   */
  deliverOnly(name: BusEventName, event: unknown, topic: string | undefined, origin: EventOrigin): void {
    const listeners = this.#listeners.get(keyOf(name, topic ?? ALL));
    if (!listeners) return;
    for (const listener of [...listeners]) listener(event, origin);
  }

  subscribe<K extends BusEventName>(name: K, listener: BusListener<K>, topic?: string): () => void {
    const key = keyOf(name, topic ?? ALL);
    let listeners = this.#listeners.get(key);
    if (!listeners) this.#listeners.set(key, (listeners = new Set()));
    const entry = listener as AnyListener;
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
      if (listeners.size === 0 && this.#listeners.get(key) === listeners) this.#listeners.delete(key);
    };
  }
}

const keyOf = (name: string, topic: string) => `${name}\u0000${topic}`;
