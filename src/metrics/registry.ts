import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * This node's registry. Every series carries `node` (NODE_ID): each node exports its own,
 * and Prometheus scrapes them all. prom-client's default metrics come with it: event-loop
 * lag, heap and GC, CPU, open files, resident memory.
 */
export function createMetricsRegistry(nodeId: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  collectDefaultMetrics({ register: registry });
  return registry;
}
