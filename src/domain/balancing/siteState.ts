import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { AllocationStatus, BalancingProfile, PhaseConnection } from '../../db/schema.ts';
import { RUNNING_SESSION_STATUSES } from '../sessions/status.ts';
import type { Amperes, ChargePointId, ChargerId, ConnectorId } from '../units.ts';
import { SITE_PHASES, type SiteLimits, type SitePhase } from './allocation.ts';
import { chargerLimits } from './siteLimits.ts';

/** A running session's connector on a balanced site, with what the balancer last gave it. */
export interface RunningConnector {
  chargerId: ChargerId;
  connectorId: ConnectorId;
  sessionId: number;
  startedAt: Date;
  priority: number;
  maxCurrentA: Amperes;
  /** The site phases it draws on. */
  phases: readonly SitePhase[];
  profilePurpose: BalancingProfile;
  /** SetChargingProfile can limit it: a standard OCPP charger that did not show otherwise. */
  limitable: boolean;
  online: boolean;
  /** While offline: since when. */
  offlineSince: Date | null;
  /** The limit the charger last accepted for this session; null: none, so it draws its maximum. */
  inForceA: Amperes | null;
  /** The balancer's last allocation for this session, and why (null: none yet). */
  allocatedA: Amperes | null;
  limitedBy: string | null;
  status: AllocationStatus | null;
}

export interface SiteState {
  chargePointId: ChargePointId;
  /** null: the site has no limit and is not balanced. */
  limits: SiteLimits | null;
  connectors: RunningConnector[];
}

/** The site phases a charger draws on: one for a single-phase charger or site, else all three. */
export function drawPhases(connection: PhaseConnection, sitePhases: 1 | 3): readonly SitePhase[] {
  if (sitePhases === 1) return ['L1'];
  return connection.length === 2 ? [connection as SitePhase] : SITE_PHASES;
}

/** Whether a SupportedFeatureProfiles value (read from the charger; null: never read) leaves SmartCharging possible. */
function reportsSmartCharging(featureProfiles: string | null): boolean {
  return featureProfiles === null || featureProfiles.split(',').some((profile) => profile.trim() === 'SmartCharging');
}

/** The site's limits for its chargers and its running connectors, in two queries. */
export async function readSiteState(db: Db, chargePointId: ChargePointId): Promise<SiteState | undefined> {
  const site = await db.selectFrom('charge_points').select(['max_current_a', 'max_power_w', 'phases', 'reserve_current_a'])
    .where('id', '=', chargePointId).executeTakeFirst();
  if (!site) return undefined;
  const rows = await db.selectFrom('charging_sessions as s')
    .innerJoin('chargers as c', 'c.id', 's.charger_id')
    .leftJoin('connector_allocations as a', (join) => join.onRef('a.charger_id', '=', 's.charger_id').onRef('a.connector_id', '=', 's.connector_id'))
    // The feature profiles it reported in its configuration, when it was read.
    .leftJoin('charger_configuration as f', (join) => join.onRef('f.charger_id', '=', 's.charger_id').on('f.key', '=', 'SupportedFeatureProfiles'))
    .select([
      's.id as session_id', 's.charger_id', 's.connector_id', 's.started_at', 's.created_at',
      'c.balancing_priority', 'c.max_current_a', 'c.phase_connection', 'c.balancing_profile', 'c.smart_charging', 'c.dialect', 'c.online', 'c.presence_at',
      'f.value as feature_profiles', 'a.session_id as allocated_session', 'a.in_force_a', 'a.current_a', 'a.limited_by', 'a.status as allocation_status',
    ])
    .where('c.charge_point_id', '=', chargePointId).where('s.status', 'in', RUNNING_SESSION_STATUSES).where('s.connector_id', 'is not', null)
    .orderBy('s.id')
    .execute();
  return {
    chargePointId,
    limits: chargerLimits({ maxCurrent: site.max_current_a, maxPower: site.max_power_w, phases: site.phases, reserveCurrent: site.reserve_current_a }),
    connectors: rows.map((row) => {
      const sameSession = row.allocated_session === row.session_id;
      return {
        chargerId: row.charger_id!,
        connectorId: row.connector_id!,
        sessionId: row.session_id,
        startedAt: new Date(row.started_at ?? row.created_at),
        priority: row.balancing_priority,
        maxCurrentA: row.max_current_a,
        phases: drawPhases(row.phase_connection, site.phases),
        profilePurpose: row.balancing_profile,
        limitable: row.dialect === 'ocpp1.6' && row.smart_charging !== 'unsupported' && reportsSmartCharging(row.feature_profiles),
        online: row.online,
        offlineSince: row.online ? null : new Date(row.presence_at ?? row.created_at),
        inForceA: sameSession ? row.in_force_a : null,
        allocatedA: sameSession ? row.current_a : null,
        limitedBy: sameSession ? row.limited_by : null,
        status: sameSession ? row.allocation_status : null,
      };
    }),
  };
}

/** Sites the balancer looks after now: those with a limit or with limits it gave that may need lifting. */
export async function balancedSites(db: Db): Promise<ChargePointId[]> {
  const { rows } = await sql<{ id: number }>`
    select id from charge_points where max_current_a is not null or max_power_w is not null
    union select distinct charge_point_id from connector_allocations`.execute(db);
  return rows.map((row) => row.id);
}

/** The site a charger belongs to (null: none). */
export async function siteOfCharger(db: Db, chargerId: ChargerId): Promise<ChargePointId | null> {
  const row = await db.selectFrom('chargers').select('charge_point_id').where('id', '=', chargerId).executeTakeFirst();
  return row?.charge_point_id ?? null;
}
