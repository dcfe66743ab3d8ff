import type { Db } from '../db/connection.ts';
import type { RegistrationStatus } from '../db/schema.ts';
import { notFound } from './errors.ts';
import { siteLimit } from './balancing/siteLimits.ts';
import { RUNNING_SESSION_STATUSES } from './sessions/status.ts';
import type { ChargerId, ChargerStatus, ConnectorId, Dialect, Watts } from './units.ts';

/** A running session as the fleet view shows it: what its charger last reported, as stored. */
export interface FleetSession {
  sessionId: number;
  connectorId: ConnectorId;
  energyWh: number;
  powerW: number | null;
  startedAt: Date | null;
}

export interface FleetConnector {
  connectorId: ConnectorId;
  status: string | null;
  errorCode: string | null;
  statusAt: Date | null;
}

/** A charger with what an operator watches: presence, identity, connectors and the sessions it runs. */
export interface FleetCharger {
  id: ChargerId;
  serialNumber: string;
  chargePointId: number | null;
  status: ChargerStatus;
  registrationStatus: RegistrationStatus;
  online: boolean;
  lastSeenAt: Date | null;
  dialect: Dialect;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  latitude: number | null;
  longitude: number | null;
  /** The sum of the running sessions' last reported power; null when none reported any. */
  powerW: number | null;
  sessions: FleetSession[];
  connectors: FleetConnector[];
}

export interface FleetChargePoint {
  id: number;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  /** The most its chargers may draw together (its grid connection); null: no limit. */
  limit: Watts | null;
  chargers: FleetCharger[];
}

export interface Fleet {
  chargePoints: FleetChargePoint[];
  /** Chargers at no charge point (self-registered ones, until an admin places them). */
  unplaced: FleetCharger[];
}

/**
 * The whole fleet in four queries (charge points, chargers, connectors, running sessions),
 * whatever its size: the dashboard reads it on every (re)connection of its live stream.
 */
export async function readFleet(db: Db): Promise<Fleet> {
  const [chargePoints, chargers] = await Promise.all([
    db.selectFrom('charge_points')
      .select(['id', 'name', 'address', 'latitude', 'longitude', 'max_current_a', 'max_power_w', 'phases', 'reserve_current_a']).orderBy('id').execute(),
    readChargers(db),
  ]);
  const byChargePoint = new Map<number, FleetCharger[]>();
  const unplaced: FleetCharger[] = [];
  for (const charger of chargers) {
    if (charger.chargePointId === null) {
      unplaced.push(charger);
      continue;
    }
    let list = byChargePoint.get(charger.chargePointId);
    if (!list) byChargePoint.set(charger.chargePointId, (list = []));
    list.push(charger);
  }
  return {
    chargePoints: chargePoints.map(({ max_current_a, max_power_w, phases, reserve_current_a, ...point }) => ({
      ...point,
      limit: siteLimit({ maxCurrent: max_current_a, maxPower: max_power_w, phases, reserveCurrent: reserve_current_a }),
      chargers: byChargePoint.get(point.id) ?? [],
    })),
    unplaced,
  };
}

/** One charger as the fleet view shows it, with its charge point's name. */
export async function readFleetCharger(db: Db, chargerId: ChargerId): Promise<FleetCharger & { chargePointName: string | null }> {
  const [charger] = await readChargers(db, chargerId);
  if (!charger) throw notFound(`Charger ${chargerId}`);
  const point = charger.chargePointId === null
    ? undefined
    : await db.selectFrom('charge_points').select('name').where('id', '=', charger.chargePointId).executeTakeFirst();
  return { ...charger, chargePointName: point?.name ?? null };
}

async function readChargers(db: Db, only?: ChargerId): Promise<FleetCharger[]> {
  let chargers = db.selectFrom('chargers').select([
    'id', 'serial_number', 'charge_point_id', 'status', 'registration_status', 'online', 'last_seen_at', 'dialect',
    'vendor', 'model', 'firmware_version', 'latitude', 'longitude',
  ]).orderBy('id');
  let connectors = db.selectFrom('connectors').select(['charger_id', 'connector_id', 'status', 'error_code', 'status_at']).orderBy('charger_id').orderBy('connector_id');
  let sessions = db.selectFrom('charging_sessions')
    .select(['id', 'charger_id', 'connector_id', 'energy_wh', 'power_w', 'started_at'])
    .where('status', 'in', RUNNING_SESSION_STATUSES)
    .where('charger_id', 'is not', null)
    .orderBy('id');
  if (only !== undefined) {
    chargers = chargers.where('id', '=', only);
    connectors = connectors.where('charger_id', '=', only);
    sessions = sessions.where('charger_id', '=', only);
  }
  const [chargerRows, connectorRows, sessionRows] = await Promise.all([chargers.execute(), connectors.execute(), sessions.execute()]);

  const connectorsOf = groupBy(connectorRows, (row) => row.charger_id);
  const sessionsOf = groupBy(sessionRows, (row) => row.charger_id!);
  return chargerRows.map((row) => {
    const running = (sessionsOf.get(row.id) ?? []).map((session) => ({
      sessionId: session.id,
      connectorId: session.connector_id ?? 0,
      energyWh: session.energy_wh,
      powerW: session.power_w,
      startedAt: session.started_at,
    }));
    const powers = running.map((session) => session.powerW).filter((power): power is number => power !== null);
    return {
      id: row.id,
      serialNumber: row.serial_number,
      chargePointId: row.charge_point_id,
      status: row.status,
      registrationStatus: row.registration_status,
      online: row.online,
      lastSeenAt: row.last_seen_at,
      dialect: row.dialect as Dialect,
      vendor: row.vendor,
      model: row.model,
      firmwareVersion: row.firmware_version,
      latitude: row.latitude,
      longitude: row.longitude,
      powerW: powers.length ? powers.reduce((sum, power) => sum + power, 0) : null,
      sessions: running,
      connectors: (connectorsOf.get(row.id) ?? []).map((connector) => ({
        connectorId: connector.connector_id,
        status: connector.status,
        errorCode: connector.error_code,
        statusAt: connector.status_at,
      })),
    };
  });
}

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const id = key(row);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = []));
    group.push(row);
  }
  return groups;
}
