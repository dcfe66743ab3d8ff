import { EventEmitter } from 'node:events';
import type { ChargingFact } from './chargingFacts.ts';
import type { LiveSummary } from './sessions/summaries.ts';
import type { ChargerId, ConnectorId } from './units.ts';

/** A MeterValues of a running session, after it was stored, with the session's summary so far. */
export interface MeterValuesEvent {
  chargerId: ChargerId;
  connectorId: ConnectorId;
  messageId: string | number;
  summary: LiveSummary;
}

interface EventMap {
  meterValues: [MeterValuesEvent];
  sessionStarted: [{ chargerId: ChargerId; connectorId: ConnectorId; sessionId: number }];
  sessionStopped: [{ chargerId: ChargerId; sessionId: number }];
}

/** In-process notifications from the charger side to whoever listens (live metrics, sessions). */
export class ChargingEvents extends EventEmitter<EventMap> {}

/** Tells listeners what the database now holds: sessions begun, and sessions ended (to be priced). */
export function announceStored(events: ChargingEvents, facts: ChargingFact[]): void {
  for (const fact of facts) {
    if (fact.kind === 'start') events.emit('sessionStarted', { chargerId: fact.chargerId, connectorId: fact.connectorId ?? 0, sessionId: fact.sessionId });
    else if (fact.kind === 'stop' || fact.kind === 'close') events.emit('sessionStopped', { chargerId: fact.chargerId, sessionId: fact.sessionId });
  }
}

/**
 * Resolves with the first `name` event that `matches`, or rejects after `timeoutMs`.
 * Subscribe before triggering what produces the event: a charger may answer at once.
 */
export function nextEvent<K extends keyof EventMap>(
  events: ChargingEvents,
  name: K,
  matches: (...args: EventMap[K]) => boolean,
  timeoutMs: number,
): { promise: Promise<EventMap[K][0]>; cancel(): void } {
  let cancel!: () => void;
  const promise = new Promise<EventMap[K][0]>((resolve, reject) => {
    const listener = (...args: EventMap[K]) => {
      if (!matches(...args)) return;
      cancel();
      resolve(args[0]);
    };
    const timer = setTimeout(() => {
      cancel();
      reject(new Error(`no ${String(name)} within ${timeoutMs} ms`));
    }, timeoutMs);
    cancel = () => {
      clearTimeout(timer);
      events.off(name, listener as never);
    };
    events.on(name, listener as never);
  });
  return { promise, cancel };
}
