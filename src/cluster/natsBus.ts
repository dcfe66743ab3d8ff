import type { Msg, Subscription } from '@nats-io/transport-node';
import type { Bus, BusEventName, BusEvents, BusListener, EventOrigin } from '../domain/bus.ts';
import { LocalBus } from './localBus.ts';
import type { NatsLink } from './natsLink.ts';
import { decodeWire, encodeWire } from './wire.ts';

/** The last subject token of an event published without a topic. */
const NO_TOPIC = '_';
const REMOTE: EventOrigin = { local: false };

/** One NATS subscription shared by this node's listeners of one event name and topic (or of all topics). */
interface Shared {
  subscription: Subscription;
  listeners: number;
}

/**
 * The bus across nodes: this node's listeners hear its events at once through a LocalBus,
 * and other nodes' events through one NATS subscription per event name and topic.
 */
export class NatsBus implements Bus {
  readonly #local: LocalBus;
  readonly #shared = new Map<string, Shared>();

  constructor(
    readonly nodeId: string,
    private readonly link: NatsLink,
  ) {
    this.#local = new LocalBus(nodeId);
  }

  publish<K extends BusEventName>(name: K, event: BusEvents[K], topic?: string): void {
    if (topic !== undefined) checkTopic(topic);
    // Sent before the local delivery so that a local listener that throws cannot keep it
    // from the other nodes; sending only queues it, so local listeners are not delayed.
    this.#sendToOthers(name, event, topic);
    this.#local.publish(name, event, topic);
  }

  #sendToOthers(name: BusEventName, event: unknown, topic: string | undefined): void {
    // While NATS is down the client would queue the event and send it late, after other
    // nodes have moved on; the bus promises no more than best effort, so it is dropped.
    if (!this.link.connected) return;
    try {
      this.link.nc.publish(this.#subject(name, topic ?? NO_TOPIC), encodeWire(event));
    } catch (error) {
      this.link.logger.debug({ err: error, event: name }, 'event not sent to other nodes');
    }
  }

  subscribe<K extends BusEventName>(name: K, listener: BusListener<K>, topic?: string): () => void {
    if (topic !== undefined) checkTopic(topic);
    const key = `${name}.${topic ?? '*'}`;
    let shared = this.#shared.get(key);
    if (!shared) {
      shared = { subscription: this.#subscribeRemote(name, topic), listeners: 0 };
      this.#shared.set(key, shared);
    }
    shared.listeners += 1;
    const unsubscribeLocal = this.#local.subscribe(name, listener, topic);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribeLocal();
      shared.listeners -= 1;
      if (shared.listeners > 0) return;
      this.#shared.delete(key);
      shared.subscription.unsubscribe();
    };
  }

  /**
   * A message on a topic's subject reaches that topic's listeners only; the one for all
   * topics reaches the all-topic listeners only, so each listener hears an event once.
   */
  #subscribeRemote(name: BusEventName, topic: string | undefined): Subscription {
    return this.link.nc.subscribe(this.#subject(name, topic ?? '*'), {
      callback: (error, message) => {
        if (error) {
          this.link.logger.warn({ err: error, event: name }, 'subscription to other nodes\' events ended');
          return;
        }
        this.#deliver(name, topic, message);
      },
    });
  }

  #deliver(name: BusEventName, topic: string | undefined, message: Msg): void {
    // A listener that throws must not reach the client's parser, which would drop the connection.
    try {
      this.#local.deliverOnly(name, decodeWire(message.string()), topic, REMOTE);
    } catch (error) {
      this.link.logger.error({ err: error, event: name, subject: message.subject }, 'listener of another node\'s event failed');
    }
  }

  #subject(name: BusEventName, lastToken: string): string {
    return `${this.link.prefix}.ev.${name}.${lastToken}`;
  }
}

/** A topic is one subject token; `_` stands for "no topic" on the wire. */
function checkTopic(topic: string): void {
  if (topic === '' || topic === NO_TOPIC || /[.*>\s]/.test(topic)) {
    throw new Error(`Bus topic ${JSON.stringify(topic)} cannot be a NATS subject token (no ".", "*", ">", whitespace; not empty or "_")`);
  }
}
