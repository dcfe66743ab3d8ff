import { Gauge, type Registry } from 'prom-client';
import type { IngestStatus } from '../ingest/pipeline.ts';

/** The charger-data journal of this node, as /health shows it. */
export function watchIngest(registry: Registry, status: () => IngestStatus): void {
  const gauge = (name: string, help: string, value: (current: IngestStatus) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(value(status())); } });
  gauge('flexicharge_ingest_journal_backlog', 'Journal records (charger messages) not yet in the database', (current) => current.backlog);
  gauge('flexicharge_ingest_journal_bytes', 'Size of the charger-data journal in DATA_DIR', (current) => current.journalBytes);
  gauge('flexicharge_ingest_journal_mode', '1 while charger data goes to the journal first (the database was away and it drains), 0 while it goes to the database', (current) => (current.mode === 'journal' ? 1 : 0));
}
