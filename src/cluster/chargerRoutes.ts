import type { CommandAction } from '../domain/chargerGateway.ts';
import type { ChargerId } from '../domain/units.ts';

/** What one node asks the node that holds a charger's socket. */
export type ChargerAsk =
  | { kind: 'command'; action: CommandAction; request: Record<string, unknown> }
  /** Whether ReserveNow can be used on it (its dialect, as the holder knows it). */
  | { kind: 'describe' }
  /** The in-memory summary of one of its running sessions. */
  | { kind: 'summary'; sessionId: number };

/** The holder's answer, or undefined when no node holds the charger. */
export type RouteResult = { held: true; value: unknown } | { held: false };

/** This node's hold on a charger. */
export interface Hold {
  /** Settles once other nodes' asks reach this node (or after a bounded wait while they cannot reach it at all). */
  ready: Promise<void>;
  /** Asks that were already on their way are answered "not held". */
  withdraw(): void;
}

/**
 * How a node reaches chargers whose sockets other nodes hold. On one node there are none:
 * every ask finds no holder. A holder's DomainError comes back to the asker as a DomainError.
 */
export interface ChargerRoutes {
  /** This node holds the charger now: asks for it are served by `serve` until the hold is withdrawn. */
  hold(chargerId: ChargerId, serve: (ask: ChargerAsk) => Promise<unknown>): Hold;
  /**
   * Asks the charger's holder; `{ held: false }` at once when no node holds it. Throws a
   * DomainError 'unavailable' when the other nodes cannot be reached, 'timeout' after `timeoutMs`.
   */
  ask(chargerId: ChargerId, ask: ChargerAsk, timeoutMs: number): Promise<RouteResult>;
}

/** The single node's routes: every charger is here or nowhere. */
export const NO_OTHER_NODES: ChargerRoutes = {
  hold: () => ({ ready: Promise.resolve(), withdraw: () => undefined }),
  ask: async () => ({ held: false }),
};
