import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { AllocationStatus, BalancingProfile, PhaseConnection, SmartChargingSupport } from '../../db/schema.ts';
import { DomainError } from '../errors.ts';
import { RUNNING_SESSION_STATUSES } from '../sessions/status.ts';
import { siteCapacity } from '../siteCapacity.ts';
import type { Amperes, ChargePointId, ChargerId, ConnectorId, Watts } from '../units.ts';
import type { SitePhase } from './allocation.ts';
import { availableCurrent, siteLimit } from './siteLimits.ts';
import { drawPhases } from './siteState.ts';

/** Amperes per site phase. */
export type PhaseCurrents = Record<SitePhase, Amperes>;

/** A running session on one of the site's chargers, with what the balancer gave its connector. */
export interface SiteLoadConnector {
  chargerId: ChargerId;
  connectorId: ConnectorId;
  serialNumber: string;
  sessionId: number;
  priority: number;
  smartCharging: SmartChargingSupport;
  profilePurpose: BalancingProfile;
  /** The charger's own maximum per phase. */
  maxCurrent: Amperes;
  /** The balancer's limit; null while it has given none. */
  allocatedCurrent: Amperes | null;
  /** The limit the charger last accepted; null: none, it draws its maximum. */
  inForceCurrent: Amperes | null;
  status: AllocationStatus | null;
  /** What set the limit (`charger`, `demand`, `site`, `plan`, `minimum`, `unsupported`, `offline`). */
  limitedBy: string | null;
  /** The session's last reported power, as stored. */
  power: Watts | null;
  online: boolean;
}

/** A site's load now against what its grid connection allows. */
export interface SiteLoad {
  chargePointId: ChargePointId;
  phases: 1 | 3;
  /** Per phase, for the chargers: the current limit less the reserve; null: no current limit. */
  availableCurrent: Amperes | null;
  /** The most the chargers may draw together; null: no limit. */
  limit: Watts | null;
  /** The running sessions' last reported power, summed. */
  load: Watts;
  /** The balancer's limits of the running connectors, summed per site phase. */
  allocatedCurrent: PhaseCurrents;
  /** When the balancer last computed a limit for the site. */
  balancedAt: Date | null;
  connectors: SiteLoadConnector[];
}

/** A connector's limit and how its charger is wired. */
export interface PhaseDraw {
  phaseConnection: PhaseConnection;
  current: Amperes;
}

/**
 * The currents summed per site phase, each on the phases its charger draws on as the balancer
 * counts them: a three-phase charger on all three, a single-phase one on the phase it is wired
 * to; on a single-phase site everything is on L1.
 */
export function currentsPerPhase(sitePhases: 1 | 3, draws: readonly PhaseDraw[]): PhaseCurrents {
  const sums: PhaseCurrents = { L1: 0, L2: 0, L3: 0 };
  for (const { phaseConnection, current } of draws) {
    for (const phase of drawPhases(phaseConnection, sitePhases)) sums[phase] += current;
  }
  return sums;
}

export async function siteLoad(db: Db, chargePointId: ChargePointId): Promise<SiteLoad> {
  const capacity = await siteCapacity(db, chargePointId);
  const [rows, balanced] = await Promise.all([
    db.selectFrom('charging_sessions as s')
      .innerJoin('chargers as c', 'c.id', 's.charger_id')
      // A row left from an earlier session on the connector is not this session's.
      .leftJoin('connector_allocations as a', (join) => join
        .onRef('a.charger_id', '=', 's.charger_id').onRef('a.connector_id', '=', 's.connector_id').onRef('a.session_id', '=', 's.id'))
      .select([
        's.id as session_id', 's.connector_id', 's.power_w', 'c.id as charger_id', 'c.serial_number', 'c.balancing_priority', 'c.smart_charging',
        'c.balancing_profile', 'c.max_current_a', 'c.phase_connection', 'c.online', 'a.current_a', 'a.in_force_a', 'a.status as allocation_status',
        'a.limited_by',
      ])
      .where('c.charge_point_id', '=', chargePointId)
      .where('s.status', 'in', RUNNING_SESSION_STATUSES)
      .orderBy('c.id').orderBy('s.connector_id').orderBy('s.id')
      .execute(),
    db.selectFrom('connector_allocations').select((eb) => eb.fn.max('computed_at').as('at')).where('charge_point_id', '=', chargePointId).executeTakeFirst(),
  ]);
  const draws: PhaseDraw[] = rows.flatMap((row) => (row.current_a === null ? [] : [{ phaseConnection: row.phase_connection, current: row.current_a }]));
  return {
    chargePointId,
    phases: capacity.phases,
    availableCurrent: availableCurrent(capacity),
    limit: siteLimit(capacity),
    load: rows.reduce((sum, row) => sum + (row.power_w ?? 0), 0),
    allocatedCurrent: currentsPerPhase(capacity.phases, draws),
    balancedAt: balanced?.at ? new Date(balanced.at) : null,
    connectors: rows.map((row) => ({
      chargerId: row.charger_id,
      connectorId: row.connector_id ?? 0,
      serialNumber: row.serial_number,
      sessionId: row.session_id,
      priority: row.balancing_priority,
      smartCharging: row.smart_charging,
      profilePurpose: row.balancing_profile,
      maxCurrent: row.max_current_a,
      allocatedCurrent: row.current_a,
      inForceCurrent: row.in_force_a,
      status: row.allocation_status,
      limitedBy: row.limited_by,
      power: row.power_w,
      online: row.online,
    })),
  };
}

/** The site's load over time: one point per step, at its start. */
export interface SiteLoadHistory {
  chargePointId: ChargePointId;
  from: Date;
  to: Date;
  stepSeconds: number;
  limit: Watts | null;
  points: { at: Date; load: Watts }[];
}

export const DEFAULT_HISTORY_MS = 3_600_000;
export const MAX_HISTORY_MS = 7 * 24 * 3_600_000;
/** A chart has room for about this many points; the step grows to keep to it. */
export const MAX_HISTORY_POINTS = 360;
/** Round steps (s), the shortest first: chargers report every few seconds at most. */
const STEPS = [10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** The shortest round step that gives at most MAX_HISTORY_POINTS over `spanMs`. */
export function historyStep(spanMs: number): number {
  return STEPS.find((step) => spanMs / (step * 1000) <= MAX_HISTORY_POINTS) ?? STEPS.at(-1)!;
}

const invalidRange = (message: string) => new DomainError('invalid', ['invalidRange'], message);

/**
 * The site's load in [from, to) from the power its chargers reported: per step, each running
 * session's mean reported power summed; a session that reported nothing in a step counts with
 * the last power it reported before (chargers report every few seconds, or every few minutes).
 * Steps start at whole multiples of the step since the epoch, so a chart can go on adding points.
 */
export async function siteLoadHistory(db: Db, chargePointId: ChargePointId, range: { from?: Date; to?: Date }, now = new Date()): Promise<SiteLoadHistory> {
  const to = range.to ?? now;
  const requestedFrom = range.from ?? new Date(to.getTime() - DEFAULT_HISTORY_MS);
  if (requestedFrom >= to) throw invalidRange('`from` must be before `to`');
  if (to.getTime() - requestedFrom.getTime() > MAX_HISTORY_MS) throw invalidRange(`At most ${MAX_HISTORY_MS / 86_400_000} days at a time`);
  const capacity = await siteCapacity(db, chargePointId);
  const stepSeconds = historyStep(to.getTime() - requestedFrom.getTime());
  const stepMs = stepSeconds * 1000;
  const from = new Date(Math.floor(requestedFrom.getTime() / stepMs) * stepMs);
  const count = Math.ceil((to.getTime() - from.getTime()) / stepMs);
  // A running session lasts until now (not beyond: what is to come is not known).
  const runningUntil = new Date(Math.min(to.getTime(), now.getTime()));

  const { rows } = await sql<{ i: number; load_w: number }>`
    with sessions as (
      select s.id, s.started_at,
        case when s.status in (${sql.join(RUNNING_SESSION_STATUSES)}) then coalesce(s.stopped_at, ${runningUntil}::timestamptz) else s.stopped_at end as ended_at
      from charging_sessions s join chargers c on c.id = s.charger_id
      where c.charge_point_id = ${chargePointId}::int and s.started_at is not null and s.started_at < ${to}::timestamptz
        and (s.status in (${sql.join(RUNNING_SESSION_STATUSES)}) or s.stopped_at > ${from}::timestamptz)
    ),
    -- The last power each session reported before the range: it holds into the range's first steps.
    before as (
      select s.id as session_id, -1 as i, b.value as mean_w, b.value as last_w
      from sessions s cross join lateral (
        select mv.value from meter_values mv
        where mv.session_id = s.id and mv.sampled_at < ${from}::timestamptz
          and mv.measurand = 'Power.Active.Import' and mv.phase is null and mv.value is not null
        order by mv.sampled_at desc limit 1
      ) b
    ),
    within as (
      select mv.session_id, floor(extract(epoch from mv.sampled_at - ${from}::timestamptz) / ${stepSeconds}::int)::int as i,
        avg(mv.value) as mean_w, (array_agg(mv.value order by mv.sampled_at desc))[1] as last_w
      from meter_values mv join sessions s on s.id = mv.session_id
      where mv.sampled_at >= ${from}::timestamptz and mv.sampled_at < ${to}::timestamptz
        and mv.measurand = 'Power.Active.Import' and mv.phase is null and mv.value is not null
      group by 1, 2
    ),
    -- Every step each session ran in, and the step before the range.
    cells as (
      select s.id as session_id, g.i
      from sessions s cross join lateral generate_series(
        greatest(0, floor(extract(epoch from s.started_at - ${from}::timestamptz) / ${stepSeconds}::int))::int,
        least(${count - 1}::int, ceil(extract(epoch from s.ended_at - ${from}::timestamptz) / ${stepSeconds}::int)::int - 1)
      ) as g(i)
      union all
      select session_id, i from before
    ),
    -- run: how many steps with a reading so far; the steps of one run carry its first step's last reading.
    numbered as (
      select c.session_id, c.i, v.mean_w, v.last_w, count(v.last_w) over (partition by c.session_id order by c.i) as run
      from cells c left join (select * from within union all select * from before) v on v.session_id = c.session_id and v.i = c.i
    ),
    carried as (
      select i, coalesce(mean_w, first_value(last_w) over (partition by session_id, run order by i)) as w from numbered
    )
    select g.i, coalesce(sum(carried.w), 0)::float8 as load_w
    from generate_series(0, ${count - 1}::int) as g(i) left join carried on carried.i = g.i
    group by g.i order by g.i
  `.execute(db);
  return {
    chargePointId,
    from,
    to,
    stepSeconds,
    limit: siteLimit(capacity),
    points: rows.map((row) => ({ at: new Date(from.getTime() + Number(row.i) * stepMs), load: Number(row.load_w) })),
  };
}
