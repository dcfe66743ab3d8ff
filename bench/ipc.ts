/** What the bench (parent) and a server under test (child process) say to each other. */

export interface ServerSpec {
  kind: 'bare-ws' | 'ocpp-rpc' | 'flexicharge';
  /** FlexiCharge admits only chargers it knows: the child provisions identities 1..chargers. */
  chargers: number;
  /** FlexiCharge on this (fresh) PostgreSQL database instead of an embedded one. */
  databaseUrl?: string;
}

/** Memory in bytes and CPU time in microseconds, of the child alone. */
export interface ServerUsage {
  heapUsed: number;
  /** Buffers, ArrayBuffers (PGlite's WebAssembly memory included) and other memory outside the JS heap. */
  external: number;
  rss: number;
  cpuMicros: number;
}

export type ParentMessage =
  /** quiesce: first wait until the server is idle, then collect garbage, so memory figures compare. */
  | { type: 'usage'; id: number; quiesce: boolean }
  | { type: 'close' };

export type ChildMessage =
  | { type: 'ready'; chargerUrl: string; httpUrl?: string }
  | { type: 'failed'; error: string }
  | { type: 'usage'; id: number; usage: ServerUsage }
  | { type: 'closed' };

/** The charge point identity of bench charger `index` (1-based); ≤ 36 characters as FlexiCharge requires. */
export const chargerIdentity = (index: number): string => `bench-${String(index).padStart(5, '0')}`;

/** What the bench says to a load generator of the cluster row (a child process holding one node's chargers). */
export type GeneratorCommand =
  | { type: 'connect'; chargerUrl: string; first: number; count: number; concurrency: number }
  | { type: 'stats'; id: number }
  | { type: 'close' };

export type GeneratorReport =
  | { type: 'ready' }
  | { type: 'booted'; booted: number; failures: Partial<Record<string, number>>; elapsedMs: number }
  | { type: 'stats'; id: number; open: number; commandsAnswered: number; commandsRefused: number }
  | { type: 'failed'; error: string }
  | { type: 'closed' };
