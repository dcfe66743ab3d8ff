import { fetchEventSource } from '@microsoft/fetch-event-source';
import { signal } from '@preact/signals';
import { freshToken } from './auth.ts';

/**
 * What `GET /live/fleet` streams (Server-Sent Events), from whichever node the charger is on.
 * `hello` comes first on every (re)connection: whatever was shown may have missed events, so
 * pages read their data again then.
 */
export interface LiveEvents {
  hello: { nodeId: string };
  status: { chargerId: number; connectorId: number; status: string; errorCode: string; at: string };
  online: { chargerId: number; nodeId: string };
  offline: { chargerId: number };
  sessionStarted: { chargerId: number; connectorId: number; sessionId: number };
  sessionStopped: { chargerId: number; sessionId: number };
  meterValues: { chargerId: number; connectorId: number; sessionId: number; energyWh: number; powerW: number | null; socPercent: number | null; at: string };
  /** Only for the watched charger: an OCPP frame as it went over the wire. */
  frame: { chargerId: number; direction: 'in' | 'out'; at: string; frame: string };
  /** A test of a running self-test (GET /tests/ocpp) finished. */
  selfTest: { test: string; passed: boolean; done: number; total: number };
  /** A site's load balancer ran: its limits may have changed. */
  balanced: { chargePointId: number; at: string };
}
export type LiveEventName = keyof LiveEvents;
type Listener<K extends LiveEventName> = (event: LiveEvents[K]) => void;

export type LiveState = 'connected' | 'reconnecting' | 'offline';
export const liveState = signal<LiveState>('offline');

const listeners = new Map<LiveEventName, Set<Listener<never>>>();
const watched = new Map<number, number>();
let controller: AbortController | null = null;

/** Calls `listener` with every `name` event until the returned function is called. */
export function onLive<K extends LiveEventName>(name: K, listener: Listener<K>): () => void {
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(listener as Listener<never>);
  return () => set.delete(listener as Listener<never>);
}

function emit(name: string, data: string): void {
  const set = listeners.get(name as LiveEventName);
  if (!set || set.size === 0) return;
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return;
  }
  for (const listener of set) (listener as (event: unknown) => void)(event);
}

/** A server that refuses us (signed out, not an admin) is not asked again until `startLive`. */
class Refused extends Error {}

/** Opens the stream (again, with the chargers now watched); reconnects after 1–10 s when it breaks. */
export function startLive(): void {
  controller?.abort();
  const current = new AbortController();
  controller = current;
  let retryMs = 1000;
  const ids = [...watched.keys()];
  const path = `/live/fleet${ids.length ? `?watch=${ids.join(',')}` : ''}`;
  liveState.value = 'reconnecting';
  void fetchEventSource(path, {
    signal: current.signal,
    openWhenHidden: true,
    // The token is read again for every (re)connection: it may have been refreshed meanwhile.
    fetch: async (input, init) => {
      const token = await freshToken();
      if (!token) throw new Refused();
      return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` } });
    },
    onopen: async (response) => {
      if (response.status === 401 || response.status === 403) throw new Refused();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      retryMs = 1000;
      liveState.value = 'connected';
    },
    onmessage: (message) => emit(message.event, message.data),
    onclose: () => {
      // The server ended the stream (a restart, a node going away): connect again.
      throw new Error('closed');
    },
    onerror: (error) => {
      if (error instanceof Refused || current.signal.aborted) {
        liveState.value = 'offline';
        throw error;
      }
      liveState.value = 'reconnecting';
      const wait = retryMs;
      retryMs = Math.min(retryMs * 2, 10_000);
      return wait;
    },
  }).catch(() => {
    if (controller === current) liveState.value = 'offline';
  });
}

export function stopLive(): void {
  controller?.abort();
  controller = null;
  liveState.value = 'offline';
}

/** Asks for `chargerId`'s OCPP frames too while the returned function is not called. */
export function watchCharger(chargerId: number): () => void {
  watched.set(chargerId, (watched.get(chargerId) ?? 0) + 1);
  if (watched.get(chargerId) === 1 && controller) startLive();
  return () => {
    const count = (watched.get(chargerId) ?? 1) - 1;
    if (count > 0) watched.set(chargerId, count);
    else watched.delete(chargerId);
  };
}
