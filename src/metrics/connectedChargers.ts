import { Gauge, type Registry } from 'prom-client';
import type { Dialect } from '../domain/units.ts';

const DIALECTS: readonly Dialect[] = ['ocpp1.6', 'flexicharge'];

/** Chargers connected to this node by dialect, counted from its connections when scraped. */
export function watchConnectedChargers(registry: Registry, connections: () => Iterable<{ dialect: { kind: Dialect } }>): void {
  new Gauge({
    name: 'flexicharge_chargers_connected',
    help: 'Chargers connected to this node, by dialect (ocpp1.6 or flexicharge)',
    labelNames: ['dialect'],
    registers: [registry],
    collect() {
      const counts = new Map<Dialect, number>(DIALECTS.map((dialect) => [dialect, 0]));
      for (const { dialect } of connections()) counts.set(dialect.kind, (counts.get(dialect.kind) ?? 0) + 1);
      for (const [dialect, count] of counts) this.set({ dialect }, count);
    },
  });
}
