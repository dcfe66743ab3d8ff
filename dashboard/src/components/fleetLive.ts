import { useEffect, useRef } from 'preact/hooks';
import type { Loaded } from '../data.ts';
import { onLive, type LiveEvents } from '../live.ts';
import { allChargers, CHARGER_STATUSES, type ConnectorState, type Fleet, type FleetCharger, type RunningSession } from './fleetModel.ts';

type Change = (charger: FleetCharger) => FleetCharger;

const UNKNOWN_RELOAD_GAP_MS = 30_000;

/** The fleet with `change` made to the charger `chargerId`. */
function withCharger(fleet: Fleet, chargerId: number, change: Change): Fleet {
  const apply = (chargers: FleetCharger[]) => (chargers.some((c) => c.id === chargerId) ? chargers.map((c) => (c.id === chargerId ? change(c) : c)) : chargers);
  return {
    chargePoints: fleet.chargePoints.map((site) => {
      const chargers = apply(site.chargers);
      return chargers === site.chargers ? site : { ...site, chargers };
    }),
    unplaced: apply(fleet.unplaced),
  };
}

const KNOWN = CHARGER_STATUSES as readonly string[];

/**
 * The charger's status from its connectors', as the server derives it: the whole charger
 * (connector 0) when it is out of order, else Available when any connector is, else connector 1's.
 */
function chargerStatusOf(connectors: ConnectorState[]): string | undefined {
  const known = connectors.filter((c): c is ConnectorState & { status: string } => c.status !== null && KNOWN.includes(c.status));
  const whole = known.find((c) => c.connectorId === 0);
  if (whole && (whole.status === 'Unavailable' || whole.status === 'Faulted')) return whole.status;
  const outlets = known.filter((c) => c.connectorId > 0).sort((a, b) => a.connectorId - b.connectorId);
  if (outlets.some((c) => c.status === 'Available')) return 'Available';
  return outlets[0]?.status ?? whole?.status;
}

function withSessions(charger: FleetCharger, sessions: RunningSession[]): FleetCharger {
  const reporting = sessions.filter((s) => s.powerW !== null);
  const powerW = reporting.length ? reporting.reduce((sum, s) => sum + s.powerW!, 0) : null;
  return { ...charger, sessions, powerW };
}

// The charger said something just now, so it was seen now (not at the time it claims).
const seen = (charger: FleetCharger): FleetCharger => ({ ...charger, lastSeenAt: new Date().toISOString() });

const onStatus = (event: LiveEvents['status']): Change => (charger) => {
  const connector: ConnectorState = { connectorId: event.connectorId, status: event.status, errorCode: event.errorCode, statusAt: event.at };
  const connectors = charger.connectors.some((c) => c.connectorId === event.connectorId)
    ? charger.connectors.map((c) => (c.connectorId === event.connectorId ? connector : c))
    : [...charger.connectors, connector].sort((a, b) => a.connectorId - b.connectorId);
  return seen({ ...charger, connectors, status: chargerStatusOf(connectors) ?? charger.status });
};

const onSessionStarted = (event: LiveEvents['sessionStarted']): Change => (charger) => {
  if (charger.sessions.some((s) => s.sessionId === event.sessionId)) return charger;
  const started: RunningSession = { sessionId: event.sessionId, connectorId: event.connectorId, energyWh: 0, powerW: null, startedAt: null };
  return seen(withSessions(charger, [...charger.sessions, started]));
};

const onSessionStopped = (event: LiveEvents['sessionStopped']): Change => (charger) =>
  seen(withSessions(charger, charger.sessions.filter((s) => s.sessionId !== event.sessionId)));

const onMeterValues = (event: LiveEvents['meterValues']): Change => (charger) => {
  const reading = { energyWh: event.energyWh, powerW: event.powerW };
  const sessions = charger.sessions.some((s) => s.sessionId === event.sessionId)
    ? charger.sessions.map((s) => (s.sessionId === event.sessionId ? { ...s, ...reading } : s))
    : [...charger.sessions, { sessionId: event.sessionId, connectorId: event.connectorId, startedAt: null, ...reading }];
  return seen(withSessions(charger, sessions));
};

/**
 * Keeps the loaded fleet up to date with the live stream, without asking the server again; a
 * charger the page does not know yet (one that just registered) has it read again.
 */
export function useFleetLive(loaded: Loaded<Fleet>): void {
  const { data, reload, update } = loaded;
  const known = useRef(new Set<number>());
  known.current = new Set(data ? allChargers(data).map((c) => c.id) : []);
  // When each unknown charger last had the fleet read again: a charger's boot sends several events at
  // once, and one the server does not list (whatever the reason) must not have it read on every event.
  const asked = useRef(new Map<number, number>());
  const loadedOnce = data !== undefined;

  useEffect(() => {
    if (!loadedOnce) return;
    const on = <K extends 'status' | 'online' | 'offline' | 'sessionStarted' | 'sessionStopped' | 'meterValues'>(
      name: K,
      changeOf: (event: LiveEvents[K]) => Change,
    ) => onLive(name, (event) => {
      if (known.current.has(event.chargerId)) {
        update((fleet) => withCharger(fleet, event.chargerId, changeOf(event)));
      } else if (Date.now() - (asked.current.get(event.chargerId) ?? 0) > UNKNOWN_RELOAD_GAP_MS) {
        asked.current.set(event.chargerId, Date.now());
        reload();
      }
    });
    const stops = [
      on('status', onStatus),
      on('online', () => (charger) => seen({ ...charger, online: true })),
      on('offline', () => (charger) => seen({ ...charger, online: false })),
      on('sessionStarted', onSessionStarted),
      on('sessionStopped', onSessionStopped),
      on('meterValues', onMeterValues),
    ];
    return () => stops.forEach((stop) => stop());
  }, [loadedOnce, reload, update]);
}
