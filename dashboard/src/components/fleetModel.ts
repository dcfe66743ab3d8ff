/** What `GET /fleet` answers, and what the fleet page derives from it. */

export type Dialect = 'ocpp1.6' | 'flexicharge';

export interface RunningSession {
  sessionId: number;
  connectorId: number;
  energyWh: number;
  powerW: number | null;
  startedAt: string | null;
}

export interface ConnectorState {
  connectorId: number;
  status: string | null;
  errorCode: string | null;
  statusAt: string | null;
}

export interface FleetCharger {
  id: number;
  serialNumber: string;
  chargePointId: number | null;
  /** OCPP ChargePointStatus of the charger as a whole. */
  status: string;
  registrationStatus: 'Accepted' | 'Pending' | 'Rejected';
  online: boolean;
  lastSeenAt: string | null;
  dialect: Dialect;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  latitude: number | null;
  longitude: number | null;
  /** The running sessions' last reported power, summed. */
  powerW: number | null;
  sessions: RunningSession[];
  connectors: ConnectorState[];
}

export interface FleetChargePoint {
  id: number;
  name: string;
  address: string;
  latitude: number | null;
  longitude: number | null;
  /** The most its chargers may draw together; null: no limit. */
  limitW: number | null;
  chargers: FleetCharger[];
}

export interface Fleet {
  chargePoints: FleetChargePoint[];
  /** Chargers that registered themselves and are at no charge point yet. */
  unplaced: FleetCharger[];
}

export const CHARGER_STATUSES = [
  'Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted',
] as const;

/** What a charger's state means for the operator, worst first: a site shows its worst charger's. */
export const STATES = ['faulted', 'offline', 'unavailable', 'unknown', 'charging', 'available'] as const;
export type State = (typeof STATES)[number];

export function stateOf(charger: FleetCharger): State {
  const status = charger.status;
  if (status === 'Faulted') return 'faulted';
  if (!charger.online) return 'offline';
  if (status === 'Unavailable' || status === 'Reserved') return 'unavailable';
  if (status === 'Charging' || status === 'Preparing' || status === 'Finishing' || status.startsWith('Suspended') || charger.sessions.length > 0) {
    return 'charging';
  }
  if (status === 'Available') return 'available';
  return 'unknown';
}

/** The worst state of the chargers; null for a site without any. */
export function worstState(chargers: FleetCharger[]): State | null {
  let worst: number | null = null;
  for (const charger of chargers) {
    const rank = STATES.indexOf(stateOf(charger));
    if (worst === null || rank < worst) worst = rank;
  }
  return worst === null ? null : STATES[worst]!;
}

/** The power its running sessions last reported, summed; null while none reports any. */
export function loadOf(chargers: FleetCharger[]): number | null {
  const reporting = chargers.filter((charger) => charger.powerW !== null);
  return reporting.length ? reporting.reduce((sum, charger) => sum + charger.powerW!, 0) : null;
}

export const allChargers = (fleet: Fleet): FleetCharger[] => [...fleet.chargePoints.flatMap((site) => site.chargers), ...fleet.unplaced];

export const isCharging = (charger: FleetCharger) => charger.sessions.length > 0 || charger.status === 'Charging';

export interface FleetCounts {
  total: number;
  online: number;
  offline: number;
  charging: number;
  faulted: number;
  /** Null while no running session reports its power. */
  powerW: number | null;
}

export function countsOf(chargers: FleetCharger[]): FleetCounts {
  const counts: FleetCounts = { total: chargers.length, online: 0, offline: 0, charging: 0, faulted: 0, powerW: null };
  for (const charger of chargers) {
    if (charger.online) counts.online++;
    else counts.offline++;
    if (isCharging(charger)) counts.charging++;
    if (charger.status === 'Faulted') counts.faulted++;
    if (charger.powerW !== null) counts.powerW = (counts.powerW ?? 0) + charger.powerW;
  }
  return counts;
}

/** Where a site is: its own position, else the middle of its chargers' positions; null when nothing is known. */
export function positionOf(site: FleetChargePoint): { latitude: number; longitude: number } | null {
  if (site.latitude !== null && site.longitude !== null) return { latitude: site.latitude, longitude: site.longitude };
  const placed = site.chargers.filter((c) => c.latitude !== null && c.longitude !== null);
  if (placed.length === 0) return null;
  return {
    latitude: placed.reduce((sum, c) => sum + c.latitude!, 0) / placed.length,
    longitude: placed.reduce((sum, c) => sum + c.longitude!, 0) / placed.length,
  };
}
