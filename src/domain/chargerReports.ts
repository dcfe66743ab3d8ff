import type { ReportedMeterValue } from './meterValues.ts';
import type { ConnectorId, Wh } from './units.ts';

/**
 * What a charger reported about a transaction, read from its message: every value is
 * within what the data model can hold, and what was unusable is named in `flags`
 * (`invalidConnectorId`, `invalidMeterStart`, `invalidTimestamp`, …) instead of refused.
 */
export interface StartReport {
  connectorId: ConnectorId | null;
  /** The tag as sent (bounded); `idTagUsable` is false when it cannot be a card (too long, control characters). */
  idTag: string | null;
  idTagUsable: boolean;
  meterStartWh: Wh | null;
  startedAt: Date;
  reservationId: number | null;
  flags: string[];
}

export interface StopReport {
  /** A transactionId that can name a session; null for -1, 0, junk and numbers beyond any id. */
  transactionId: number | null;
  meterStopWh: Wh | null;
  stoppedAt: Date;
  reason: string;
  idTag: string | null;
  idTagUsable: boolean;
  transactionData: ReportedMeterValue[];
  flags: string[];
}

export interface MeterReport {
  connectorId: ConnectorId | null;
  transactionId: number | null;
  meterValues: ReportedMeterValue[];
}
