import { Gauge, type Registry } from 'prom-client';
import type { PoolStatus } from '../db/connection.ts';

/** The database connections of this node, read from the pool when scraped. */
export function watchDatabasePool(registry: Registry, pool: () => PoolStatus): void {
  const gauge = (name: string, help: string, value: (status: PoolStatus) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(value(pool())); } });
  gauge('flexicharge_db_pool_connections', 'Open database connections (the embedded database is one)', (status) => status.total);
  gauge('flexicharge_db_pool_idle_connections', 'Open database connections not in use', (status) => status.idle);
  gauge('flexicharge_db_pool_waiting', 'Queries (or transactions) waiting for a database connection', (status) => status.waiting);
}
