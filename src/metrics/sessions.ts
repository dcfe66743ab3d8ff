import { Counter, Gauge, type Registry } from 'prom-client';
import type { Wh } from '../domain/units.ts';

/** The energy total is a sum over every completed session: asked of the database at most this often. */
const ENERGY_CACHE_MS = 15_000;

export interface SessionSources {
  /** Open sessions on this node's chargers, from the in-memory session state (no query). */
  active(): number;
  /** Wh of every completed session, the fleet over (a database query). */
  energyDeliveredWh(): Promise<Wh>;
}

/**
 * Sessions running on this node's chargers, and the energy every completed session
 * delivered. The energy total is read from the database, so it survives restarts and is
 * the same on every node (aggregate it with max, not sum).
 */
export function watchSessions(registry: Registry, sources: SessionSources): void {
  new Gauge({
    name: 'flexicharge_sessions_active',
    help: 'Charging sessions open on the chargers connected to this node',
    registers: [registry],
    collect() {
      this.set(sources.active());
    },
  });
  let energy: { wh: number; at: number } | undefined;
  new Counter({
    name: 'flexicharge_energy_delivered_wh_total',
    help: 'Wh delivered by all completed sessions of the fleet (from the database; the same on every node)',
    registers: [registry],
    async collect() {
      const now = Date.now();
      if (!energy || now - energy.at >= ENERGY_CACHE_MS) {
        // A database that does not answer keeps the last total rather than failing the scrape.
        const wh = await sources.energyDeliveredWh().catch(() => undefined);
        if (wh !== undefined) energy = { wh, at: now };
      }
      if (!energy) return;
      this.reset();
      this.inc(energy.wh);
    },
  });
}
