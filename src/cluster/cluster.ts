import type { Bus } from '../domain/bus.ts';
import type { ChargerRoutes } from './chargerRoutes.ts';

/** This node's place among the others: how events and chargers' asks travel between them. */
export interface Cluster {
  readonly nodeId: string;
  /** False on a single node (no NATS): nothing is shared with other processes. */
  readonly several: boolean;
  readonly bus: Bus;
  readonly routes: ChargerRoutes;
  /** Whether other nodes can be reached right now (always true on a single node). */
  readonly connected: boolean;
  close(): Promise<void>;
}
