import type { BootFacts } from './bootFacts.ts';
import type { LiveSummary } from './sessions/summaries.ts';
import type { ChargePointId, ChargerId, ConnectorId } from './units.ts';

/** One OCPP frame as it went over a charger's socket, for the operators who watch that charger. */
export interface OcppFrameEvent {
  chargerId: ChargerId;
  /** `in` from the charger, `out` to it. */
  direction: 'in' | 'out';
  at: Date;
  /** The frame's text; an outbound charger password is replaced as in the message log. */
  frame: string;
}

/** A self-test test finished (of a run on the publishing node). */
export interface SelfTestProgress {
  test: string;
  passed: boolean;
  /** Tests finished so far in this run, this one included. */
  done: number;
  total: number;
}

/** A MeterValues of a running session, after it was stored, with the session's summary so far. */
export interface MeterValuesEvent {
  chargerId: ChargerId;
  connectorId: ConnectorId;
  messageId: string | number;
  summary: LiveSummary;
}

/** What happens on one node that others may wait for or show. */
export interface BusEvents {
  /** Topic: the session's user; a session without one is published without a topic. */
  meterValues: MeterValuesEvent;
  /** Topic: the session id. */
  sessionStarted: { chargerId: ChargerId; connectorId: ConnectorId; sessionId: number };
  /** Topic: the session id. */
  sessionStopped: { chargerId: ChargerId; sessionId: number };
  /** A completed session was priced and its payment settled (or its settlement failed). Topic: the session id. */
  sessionSettled: { sessionId: number };
  /** A node now holds the charger's socket; any other node holding one for it lets it go. No topic. */
  chargerConnected: { chargerId: ChargerId; nodeId: string };
  /**
   * A charger's BootNotification was accepted and answered: what it should hold (configuration,
   * local list, charging profiles) is sent again by the subsystems that keep it, on the node
   * that holds its socket (`local`), each only when `facts` say there is something to do. No topic.
   */
  chargerBooted: { chargerId: ChargerId; nodeId: string; facts: BootFacts };
  /** A StatusNotification was stored. Topic: the charger. */
  chargerStatus: { chargerId: ChargerId; connectorId: ConnectorId; status: string; errorCode: string; at: Date };
  /**
   * A charger's connection closed and no newer one replaced it, or the node holding it died
   * (its lease lapsed and the housekeeper showed it offline). No topic.
   */
  chargerDisconnected: { chargerId: ChargerId; nodeId: string };
  /** Published only for chargers in a `framesWatched` list, by the node holding the socket. Topic: the charger. */
  ocppFrame: OcppFrameEvent;
  /**
   * The chargers whose frames a node's operators watch now; sent again every so often while
   * any are, and holds for `ttlMs` (so a node that dies stops costing the others). No topic.
   */
  framesWatched: { nodeId: string; chargerIds: ChargerId[]; ttlMs: number };
  /** Something a site's load balancer weighs changed (its capacity, a charger's supply, a plan): balance it again. No topic. */
  balanceSite: { chargePointId: ChargePointId };
  /** A site's balancer ran and sent the limits that changed (`changed` connectors). No topic. */
  siteBalanced: { chargePointId: ChargePointId; nodeId: string; at: Date; changed: number };
  /** Progress of a running self-test. No topic. */
  selfTest: SelfTestProgress;
}

export type BusEventName = keyof BusEvents;

/** Whether the event happened on this node (`local`) or came from another. */
export interface EventOrigin {
  local: boolean;
}

export type BusListener<K extends BusEventName> = (event: BusEvents[K], origin: EventOrigin) => void;

/**
 * How events travel between the parts of the system, on one node or several. Listeners on
 * the publishing node are called at once (before `publish` returns); listeners on other
 * nodes soon after, each once. Delivery to other nodes is best effort: an event published
 * while they cannot be reached is not kept for later.
 */
export interface Bus {
  /** This node's id (unique while it runs). */
  readonly nodeId: string;
  /** `topic` (digits, letters, `-`, `_`) narrows who hears it: listeners of that topic and listeners of all topics. */
  publish<K extends BusEventName>(name: K, event: BusEvents[K], topic?: string): void;
  /** Listens to `name` events of one topic, or of all when `topic` is omitted; returns the way to stop listening. */
  subscribe<K extends BusEventName>(name: K, listener: BusListener<K>, topic?: string): () => void;
}
