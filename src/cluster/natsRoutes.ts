import { errors, type Msg } from '@nats-io/transport-node';
import { DomainError, type ErrorKind } from '../domain/errors.ts';
import type { ChargerId } from '../domain/units.ts';
import type { ChargerAsk, ChargerRoutes, Hold, RouteResult } from './chargerRoutes.ts';
import type { NatsLink } from './natsLink.ts';
import { decodeWire, encodeWire } from './wire.ts';

/** Nodes that hold the same charger for a moment (one taking it over) share one queue group, so only one answers. */
const HOLDERS = 'holder';

/** How long a hold waits to be in place at the server; NATS may be away, and the charger is served meanwhile anyway. */
const HOLD_READY_MAX_MS = 2000;

/** Settles when `work` does (fulfilled or not), or after `ms`. */
function boundedWait(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(() => undefined, () => undefined).finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The holder's answer on the wire. */
type Reply =
  | { ok: true; value: unknown }
  | { ok: false; kind: ErrorKind; codes: string[]; message: string }
  /** The hold was withdrawn while the ask was on its way. */
  | { ok: false; withdrawn: true };

const unreachable = () => new DomainError('unavailable', ['clusterUnavailable'], 'The other nodes cannot be reached right now (NATS is down); try again shortly');

/** Asks travel as NATS requests to a subject per charger, answered by whichever node holds its socket. */
export class NatsRoutes implements ChargerRoutes {
  /** The round trip that will confirm the holds taken since the last one was sent. */
  #nextFlush: Promise<void> | undefined;

  constructor(private readonly link: NatsLink) {}

  /**
   * One round trip to the server confirms every subscription sent before it: the holds of a
   * reconnect storm share one, sent once the holds of this turn of the event loop are taken.
   */
  #confirmed(): Promise<void> {
    this.#nextFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#nextFlush = undefined;
      return this.link.nc.flush();
    });
    return this.#nextFlush;
  }

  hold(chargerId: ChargerId, serve: (ask: ChargerAsk) => Promise<unknown>): Hold {
    let withdrawn = false;
    const subscription = this.link.nc.subscribe(this.#subject(chargerId), {
      queue: HOLDERS,
      callback: (error, message) => {
        if (error) {
          this.link.logger.warn({ err: error, chargerId }, 'this node no longer serves asks for its charger');
          return;
        }
        if (withdrawn) this.#respond(chargerId, message, { ok: false, withdrawn: true });
        else void this.#answer(chargerId, message, serve);
      },
    });
    return {
      // The subscription is in place at the server once a round trip after it is answered.
      ready: boundedWait(this.#confirmed(), HOLD_READY_MAX_MS),
      withdraw: () => {
        withdrawn = true;
        // Asks NATS sent here before it learnt of the withdrawal still arrive until the drain
        // ends; answering them spares their askers the wait for a timeout. A connection that
        // is closed has nothing left to drain.
        subscription.drain().catch(() => undefined);
      },
    };
  }

  async ask(chargerId: ChargerId, ask: ChargerAsk, timeoutMs: number): Promise<RouteResult> {
    if (!this.link.connected) throw unreachable();
    let stopWaiting = (): void => undefined;
    // The client keeps a request through a reconnect, but its answer, if sent meanwhile, is lost.
    const lost = new Promise<never>((_resolve, reject) => (stopWaiting = this.link.whenLost(() => reject(unreachable()))));
    let message: Msg;
    try {
      message = await Promise.race([this.link.nc.request(this.#subject(chargerId), encodeWire(ask), { timeout: timeoutMs }), lost]);
    } catch (error) {
      if (error instanceof errors.RequestError && error.isNoResponders()) return { held: false };
      if (error instanceof errors.TimeoutError) {
        throw new DomainError('timeout', ['chargerTimeout'], `The node holding charger ${chargerId} did not answer within ${timeoutMs} ms`);
      }
      if (error instanceof errors.ClosedConnectionError || error instanceof errors.DrainingConnectionError) throw unreachable();
      throw error;
    } finally {
      stopWaiting();
    }
    const reply = decodeWire(message.string()) as Reply;
    if (reply.ok) return { held: true, value: reply.value };
    if ('withdrawn' in reply) return { held: false };
    throw new DomainError(reply.kind, reply.codes, reply.message);
  }

  async #answer(chargerId: ChargerId, message: Msg, serve: (ask: ChargerAsk) => Promise<unknown>): Promise<void> {
    let reply: Reply;
    try {
      reply = { ok: true, value: await serve(decodeWire(message.string()) as ChargerAsk) };
    } catch (error) {
      reply = error instanceof DomainError
        ? { ok: false, kind: error.kind, codes: [...error.codes], message: error.message }
        : { ok: false, kind: 'badGateway', codes: ['internalError'], message: error instanceof Error ? error.message : String(error) };
      if (!(error instanceof DomainError)) this.link.logger.error({ err: error, chargerId }, 'serving another node\'s ask failed');
    }
    this.#respond(chargerId, message, reply);
  }

  #respond(chargerId: ChargerId, message: Msg, reply: Reply): void {
    try {
      message.respond(encodeWire(reply));
    } catch (error) {
      // The asker gives up when its connection drops, and times out otherwise: nothing is left to do here.
      this.link.logger.debug({ err: error, chargerId }, 'answer to another node not sent');
    }
  }

  #subject(chargerId: ChargerId): string {
    return `${this.link.prefix}.charger.${chargerId}`;
  }
}
