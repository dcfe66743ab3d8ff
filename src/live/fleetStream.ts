import type { Bus, OcppFrameEvent, SelfTestProgress } from '../domain/bus.ts';
import type { ChargePointId, ChargerId, ConnectorId } from '../domain/units.ts';

/** What `GET /live/fleet` streams, by event name. */
export interface FleetEvents {
  hello: { nodeId: string };
  status: { chargerId: ChargerId; connectorId: ConnectorId; status: string; errorCode: string; at: Date };
  online: { chargerId: ChargerId; nodeId: string };
  offline: { chargerId: ChargerId };
  sessionStarted: { chargerId: ChargerId; connectorId: ConnectorId; sessionId: number };
  sessionStopped: { chargerId: ChargerId; sessionId: number };
  meterValues: {
    chargerId: ChargerId; connectorId: ConnectorId; sessionId: number; energyWh: number; powerW: number | null; socPercent: number | null; at: Date;
  };
  frame: OcppFrameEvent;
  selfTest: SelfTestProgress;
  /** A site's load balancer ran: its limits may have changed. */
  balanced: { chargePointId: ChargePointId; at: Date };
}
export type FleetEventName = keyof FleetEvents;

/** One open stream on this node. */
export interface FleetListener {
  /** The chargers whose OCPP frames it receives too. */
  watch: ReadonlySet<ChargerId>;
  send<K extends FleetEventName>(name: K, event: FleetEvents[K]): void;
  /** Ends the stream (the node is shutting down). */
  end(): void;
}

/** Frames cost every node a bus message per frame of a watched charger: an operator watches a few. */
export const MAX_WATCHED_CHARGERS = 10;
/** How often this node tells the others again which chargers its operators watch. */
const ANNOUNCE_EVERY_MS = 10_000;
/** How long an announcement holds: a node that stopped renewing (it died) is forgotten after that. */
const ANNOUNCEMENT_TTL_MS = 3 * ANNOUNCE_EVERY_MS;

interface FrameSubscription {
  listeners: number;
  unsubscribe(): void;
}

/**
 * The operators' live view of the fleet on this node: the bus events of every node, relayed to
 * the streams open here. It listens to the bus only while a stream is open; the frames of a
 * charger only while a stream watches it, and then tells every node (`framesWatched`) so that
 * the one holding that charger's socket publishes them.
 */
export class FleetStream {
  readonly #listeners = new Set<FleetListener>();
  readonly #frames = new Map<ChargerId, FrameSubscription>();
  #stopListening: (() => void) | undefined;
  #announcer: NodeJS.Timeout | undefined;

  constructor(private readonly bus: Bus) {}

  get nodeId(): string {
    return this.bus.nodeId;
  }

  /** Starts relaying events to `listener`, `hello` first; returns the way to stop. */
  open(listener: FleetListener): () => void {
    if (this.#listeners.size === 0) this.#stopListening = this.#listen();
    this.#listeners.add(listener);
    listener.send('hello', { nodeId: this.bus.nodeId });
    let newlyWatched = false;
    for (const chargerId of listener.watch) {
      let subscription = this.#frames.get(chargerId);
      if (!subscription) {
        subscription = { listeners: 0, unsubscribe: this.bus.subscribe('ocppFrame', (frame) => this.#frame(frame), String(chargerId)) };
        this.#frames.set(chargerId, subscription);
        newlyWatched = true;
      }
      subscription.listeners += 1;
    }
    if (newlyWatched) this.#announce();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#close(listener);
    };
  }

  /** Ends every stream open here. */
  endAll(): void {
    for (const listener of [...this.#listeners]) listener.end();
  }

  #close(listener: FleetListener): void {
    if (!this.#listeners.delete(listener)) return;
    let unwatched = false;
    for (const chargerId of listener.watch) {
      const subscription = this.#frames.get(chargerId);
      if (!subscription || --subscription.listeners > 0) continue;
      subscription.unsubscribe();
      this.#frames.delete(chargerId);
      unwatched = true;
    }
    if (unwatched) this.#announce();
    if (this.#listeners.size === 0) {
      this.#stopListening?.();
      this.#stopListening = undefined;
    }
  }

  #listen(): () => void {
    const { bus } = this;
    const stops = [
      bus.subscribe('chargerStatus', (event) => this.#broadcast('status', event)),
      bus.subscribe('chargerConnected', ({ chargerId, nodeId }) => this.#broadcast('online', { chargerId, nodeId })),
      bus.subscribe('chargerDisconnected', ({ chargerId }) => this.#broadcast('offline', { chargerId })),
      bus.subscribe('sessionStarted', (event) => this.#broadcast('sessionStarted', event)),
      bus.subscribe('sessionStopped', (event) => this.#broadcast('sessionStopped', event)),
      bus.subscribe('meterValues', ({ chargerId, connectorId, summary }) => this.#broadcast('meterValues', {
        chargerId, connectorId, sessionId: summary.sessionId, energyWh: summary.energyWh, powerW: summary.powerW, socPercent: summary.socPercent, at: summary.sampledAt,
      })),
      bus.subscribe('selfTest', (event) => this.#broadcast('selfTest', event)),
      bus.subscribe('siteBalanced', ({ chargePointId, at }) => this.#broadcast('balanced', { chargePointId, at })),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  #broadcast<K extends FleetEventName>(name: K, event: FleetEvents[K]): void {
    for (const listener of this.#listeners) listener.send(name, event);
  }

  #frame(frame: OcppFrameEvent): void {
    for (const listener of this.#listeners) if (listener.watch.has(frame.chargerId)) listener.send('frame', frame);
  }

  /** Tells every node which chargers are watched here now, and again every so often while any are. */
  #announce(): void {
    const chargerIds = [...this.#frames.keys()];
    this.bus.publish('framesWatched', { nodeId: this.bus.nodeId, chargerIds, ttlMs: ANNOUNCEMENT_TTL_MS });
    if (chargerIds.length > 0 && !this.#announcer) {
      this.#announcer = setInterval(() => {
        this.bus.publish('framesWatched', { nodeId: this.bus.nodeId, chargerIds: [...this.#frames.keys()], ttlMs: ANNOUNCEMENT_TTL_MS });
      }, ANNOUNCE_EVERY_MS);
      this.#announcer.unref();
    } else if (chargerIds.length === 0 && this.#announcer) {
      clearInterval(this.#announcer);
      this.#announcer = undefined;
    }
  }
}
