import { NO_OTHER_NODES } from './chargerRoutes.ts';
import type { Cluster } from './cluster.ts';
import { LocalBus } from './localBus.ts';

/** A node alone: events stay in this process and every charger is here or nowhere. */
export function openLocalCluster(nodeId: string): Cluster {
  return { nodeId, several: false, bus: new LocalBus(nodeId), routes: NO_OTHER_NODES, connected: true, close: async () => undefined };
}
