import type { Cluster } from './cluster.ts';
import { NatsBus } from './natsBus.ts';
import { openNatsLink, type NatsLinkOptions } from './natsLink.ts';
import { NatsRoutes } from './natsRoutes.ts';

/** Joins the other nodes through NATS; fails with one line naming NATS_URL when NATS cannot be reached now. */
export async function openNatsCluster(options: NatsLinkOptions): Promise<Cluster> {
  const link = await openNatsLink(options);
  return {
    nodeId: options.nodeId,
    several: true,
    bus: new NatsBus(options.nodeId, link),
    routes: new NatsRoutes(link),
    get connected() {
      return link.connected;
    },
    close: () => link.close(),
  };
}
