import type { Bus, BusEventName, BusEvents } from './bus.ts';
import type { ChargingFact } from './chargingFacts.ts';

/** Tells listeners what the database now holds: sessions begun, and sessions ended (to be priced). */
export function announceStored(bus: Bus, facts: ChargingFact[]): void {
  for (const fact of facts) {
    if (fact.kind === 'start') {
      bus.publish('sessionStarted', { chargerId: fact.chargerId, connectorId: fact.connectorId ?? 0, sessionId: fact.sessionId }, String(fact.sessionId));
    } else if (fact.kind === 'stop' || fact.kind === 'close') {
      bus.publish('sessionStopped', { chargerId: fact.chargerId, sessionId: fact.sessionId }, String(fact.sessionId));
    }
  }
}

/**
 * Resolves with the first `name` event of `topic` that `matches` (from any node), or
 * rejects after `timeoutMs`. Subscribe before triggering what produces the event: a
 * charger may answer at once.
 */
export function nextEvent<K extends BusEventName>(
  bus: Bus,
  name: K,
  topic: string,
  matches: (event: BusEvents[K]) => boolean,
  timeoutMs: number,
): { promise: Promise<BusEvents[K]>; cancel(): void } {
  let cancel!: () => void;
  const promise = new Promise<BusEvents[K]>((resolve, reject) => {
    const timer = setTimeout(() => {
      cancel();
      reject(new Error(`no ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = bus.subscribe(name, (event) => {
      if (!matches(event)) return;
      cancel();
      resolve(event);
    }, topic);
    cancel = () => {
      clearTimeout(timer);
      unsubscribe();
    };
  });
  return { promise, cancel };
}
