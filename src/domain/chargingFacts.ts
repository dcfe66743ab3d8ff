import type { ChargerId, ConnectorId, Wh } from './units.ts';

/**
 * What chargers reported about their sessions, already decided (which session, which
 * transactionId, which flags) and within every column's range, so storing a fact never
 * depends on anything but the fact. Facts are plain JSON: they may wait in the journal
 * while the database is away, and storing one twice changes nothing.
 */
export type ChargingFact = SessionStarted | SessionStopped | MeterSamples | SessionClosed | SessionSummary;

/** Times are ISO 8601 strings in UTC. */
type Instant = string;

/** A StartTransaction: a new session, or the app's session that was waiting for it. */
export interface SessionStarted {
  kind: 'start';
  sessionId: number;
  /** The app created this session and asked the charger to start it (RemoteStartTransaction). */
  requested: boolean;
  chargerId: ChargerId;
  connectorId: ConnectorId | null;
  idTag: string | null;
  /** The idTag was accepted; a refused start is kept until the charger stops it. */
  accepted: boolean;
  meterStartWh: Wh | null;
  startedAt: Instant;
  receivedAt: Instant;
  /** As the charger reported it; kept only when it names a reservation of this charger. */
  reservationId: number | null;
  flags: string[];
}

/** A StopTransaction for a known session, or (orphan) for none: then a session of its own. */
export interface SessionStopped {
  kind: 'stop';
  sessionId: number;
  orphan: boolean;
  chargerId: ChargerId;
  meterStopWh: Wh | null;
  stoppedAt: Instant;
  receivedAt: Instant;
  reason: string;
  idTag: string | null;
  flags: string[];
  /** The last charge level and power the session reported, for its record. */
  socPercent: number | null;
  powerW: number | null;
}

/** One sampled value: [sampledAt, measurand, phase, location, context, value in base unit, raw value, raw unit]. */
export type Sample = [Instant, string, string | null, string | null, string, number | null, string, string | null];

/** The sampled values of one MeterValues (or a StopTransaction's transactionData). */
export interface MeterSamples {
  kind: 'samples';
  chargerId: ChargerId;
  connectorId: ConnectorId;
  sessionId: number | null;
  receivedAt: Instant;
  samples: Sample[];
}

/**
 * A session that cannot be running any more (its connector started another transaction,
 * reported Available long enough, or a refused start was never stopped): closed with the
 * energy of its last reading, `flag` saying why.
 */
export interface SessionClosed {
  kind: 'close';
  sessionId: number;
  chargerId: ChargerId;
  closedAt: Instant;
  flag: SessionCloseFlag;
}

export type SessionCloseFlag = 'closedByNewTransaction' | 'closedByConnectorStatus' | 'closedAfterRefusedStart';

/** A running session's progress so far, as the live views show it (written at most every interval). */
export interface SessionSummary {
  kind: 'summary';
  sessionId: number;
  energyWh: Wh;
  socPercent: number | null;
  powerW: number | null;
}

/** Where decided facts go: resolves once they are durable (in the database or the journal). */
export interface FactSink {
  submit(facts: ChargingFact[]): Promise<void>;
}
