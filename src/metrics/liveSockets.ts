import { Gauge, type Registry } from 'prom-client';

export interface LiveSocketCounts {
  /** Open /user/<id> sockets on this node. */
  readonly sockets: number;
  /** Users with at least one of them. */
  readonly users: number;
}

/** The apps' live-metric sockets on this node. */
export function watchLiveSockets(registry: Registry, live: LiveSocketCounts): void {
  new Gauge({ name: 'flexicharge_live_sockets', help: 'Open live-metric sockets (/user/<id>) on this node', registers: [registry], collect() { this.set(live.sockets); } });
  new Gauge({ name: 'flexicharge_live_users', help: 'Users with a live-metric socket open on this node', registers: [registry], collect() { this.set(live.users); } });
}
