import type { Registry } from 'prom-client';
import type { PoolStatus } from '../db/connection.ts';
import type { Dialect } from '../domain/units.ts';
import type { IngestStatus } from '../ingest/pipeline.ts';
import { watchConnectedChargers } from './connectedChargers.ts';
import { watchDatabasePool } from './database.ts';
import { HttpRequestDurations } from './httpRequests.ts';
import { watchIngest } from './ingest.ts';
import { watchLiveSockets, type LiveSocketCounts } from './liveSockets.ts';
import { OcppTraffic } from './ocppTraffic.ts';
import { createMetricsRegistry } from './registry.ts';
import { watchSessions, type SessionSources } from './sessions.ts';

/** What the gauges read when /metrics is scraped. */
export interface MetricSources {
  connections(): Iterable<{ dialect: { kind: Dialect } }>;
  pool(): PoolStatus;
  ingest(): IngestStatus;
  live: LiveSocketCounts;
  sessions: SessionSources;
}

/**
 * This node's Prometheus metrics. The counters are fed as things happen (OCPP traffic,
 * HTTP requests); the gauges are read from their sources only when scraped.
 */
export class Metrics {
  readonly registry: Registry;
  /** Handed to the OCPP server, which reports every message to it. */
  readonly ocpp: OcppTraffic;
  readonly http: HttpRequestDurations;

  constructor(nodeId: string) {
    this.registry = createMetricsRegistry(nodeId);
    this.ocpp = new OcppTraffic(this.registry);
    this.http = new HttpRequestDurations(this.registry);
  }

  /** Adds the gauges, once what they read exists. */
  watch(sources: MetricSources): void {
    watchConnectedChargers(this.registry, sources.connections);
    watchSessions(this.registry, sources.sessions);
    watchDatabasePool(this.registry, sources.pool);
    watchIngest(this.registry, sources.ingest);
    watchLiveSockets(this.registry, sources.live);
  }

  /** Every metric in the Prometheus text format, with its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
