import type { Logger } from 'pino';
import type { ClusterConfig } from '../config.ts';
import type { Cluster } from './cluster.ts';
import { openLocalCluster } from './localCluster.ts';

/** Joins the other nodes through NATS when NATS_URL is set; else this node is on its own. */
export async function openCluster(config: ClusterConfig, logger: Logger): Promise<Cluster> {
  if (!config.natsUrl) return openLocalCluster(config.nodeId);
  // Loaded only when needed: a single node never pays for the NATS client at start.
  const { openNatsCluster } = await import('./natsCluster.ts');
  return openNatsCluster({ servers: config.natsUrl, prefix: config.subjectPrefix, nodeId: config.nodeId, logger: logger.child({ component: 'cluster' }) });
}
