import { EventEmitter } from 'node:events';
import type { MeterValue } from './meterValues.ts';
import type { ChargerId, ConnectorId } from './units.ts';

/** A MeterValues a charger sent, after it was stored; `raw` is the frame's payload as received. */
export interface MeterValuesEvent {
  chargerId: ChargerId;
  connectorId: ConnectorId;
  sessionId: number | null;
  meterValue: MeterValue[];
  raw: Record<string, unknown>;
  messageId: string | number;
}

interface EventMap {
  meterValues: [MeterValuesEvent];
  sessionStarted: [{ chargerId: ChargerId; connectorId: ConnectorId; sessionId: number }];
  sessionStopped: [{ chargerId: ChargerId; sessionId: number }];
}

/** In-process notifications from the charger side to whoever listens (live metrics, sessions). */
export class ChargingEvents extends EventEmitter<EventMap> {}
