import { sql, type RawBuilder } from 'kysely';
import { literalList } from '../db/literals.ts';
import type { PaymentStatus } from '../db/schema.ts';
import type {
  ChargingFact, MeterSamples, SessionClosed, SessionStarted, SessionStopped, SessionSummary,
} from '../domain/chargingFacts.ts';
import { RUNNING_SESSION_STATUSES, sessionLifecycle } from '../domain/sessions/status.ts';

/**
 * The statements that store decided facts: one multi-row statement per kind for the whole
 * batch, to run in this order (in one transaction when there are several). Applying a fact twice changes nothing (replayed journal records,
 * a batch whose commit was not confirmed), and no fact can fail for lack of a row it
 * names (a charger deleted meanwhile, a session that never made it into the database):
 * such references are left out, never refused.
 *
 * Kinds are applied in the order a charger's conversation implies — starts, samples,
 * stops, closes, summaries — so a stop finds its start and the readings before it.
 */
export function factStatements(facts: ChargingFact[]): RawBuilder<unknown>[] {
  const starts: SessionStarted[] = [];
  const samples: MeterSamples[] = [];
  const stops = new Map<number, SessionStopped>();
  const closes = new Map<number, SessionClosed>();
  const summaries = new Map<number, SessionSummary>();
  for (const fact of facts) {
    switch (fact.kind) {
      case 'start': starts.push(fact); break;
      case 'samples': samples.push(fact); break;
      // The first stop of a session counts; a second one in the same batch is a replay.
      case 'stop': if (!stops.has(fact.sessionId)) stops.set(fact.sessionId, fact); break;
      case 'close': if (!closes.has(fact.sessionId)) closes.set(fact.sessionId, fact); break;
      case 'summary': summaries.set(fact.sessionId, fact); break;
    }
  }
  const newStarts = starts.filter((fact) => !fact.requested);
  const requestedStarts = starts.filter((fact) => fact.requested);
  return [
    ...(newStarts.length ? [insertStarts(newStarts)] : []),
    ...(requestedStarts.length ? [updateRequestedStarts(requestedStarts)] : []),
    ...(samples.length ? [insertSamples(samples)] : []),
    ...(stops.size ? applyStops([...stops.values()]) : []),
    ...(closes.size ? [applyCloses([...closes.values()])] : []),
    ...(summaries.size ? [applySummaries([...summaries.values()])] : []),
  ];
}

const HOUR_MS = 3_600_000;
const hourOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / HOUR_MS) * HOUR_MS).toISOString();

/** Flags travel as one comma-joined text per row (unnest cannot take an array of arrays); flag names have no commas. */
const joinFlags = (flags: string[]) => flags.join(',');
const flagsOf = (column: RawBuilder<unknown>) => sql`coalesce(string_to_array(nullif(${column}, ''), ','), '{}'::text[])`;

/** The statuses a close, and a stop, complete a session in (a stop also a Completed one: see `complete`). */
const OPEN = literalList(sessionLifecycle.from('closed'));
const COMPLETED = sql.lit(sessionLifecycle.to('chargerStopped'));
const CLOSED = sql.lit(sessionLifecycle.to('closed'));
const CAPTURED = sql.lit('Captured' satisfies PaymentStatus);
/** A start with an accepted card charges; one with a refused card stays open until its charger stops it. */
const startStatus = (fact: SessionStarted) => sessionLifecycle.to(fact.accepted ? 'chargerStarted' : 'chargerStartRefused');
const CLOSE_FLAGS = sql`array['closedByNewTransaction', 'closedByConnectorStatus', 'closedAfterRefusedStart']`;

/** A register reading a meter can have: what else a charger sends is stored, but never counted. */
const PLAUSIBLE_REGISTER = sql`mv.value between 0 and ${Number.MAX_SAFE_INTEGER}`;

/** The session's energy register: its newest (or, `asc`, first) total reading. */
const registerReading = (sessionId: RawBuilder<unknown>, order: 'asc' | 'desc') => sql`(
  select mv.value::bigint from meter_values mv
  where mv.session_id = ${sessionId} and mv.measurand = 'Energy.Active.Import.Register' and mv.phase is null and ${PLAUSIBLE_REGISTER}
  order by mv.sampled_at ${sql.raw(order)} limit 1)`;

function insertStarts(facts: SessionStarted[]): RawBuilder<unknown> {
  return sql`
    insert into charging_sessions (id, charger_id, connector_id, user_id, id_tag, reservation_id, status, meter_start_wh,
                                   price_per_kwh_ore, started_at, start_received_at, flags, created_at, updated_at)
    select f.id, c.id, f.connector_id, card.user_id, f.id_tag, r.id, f.status, f.meter_start,
           coalesce(cp.price_per_kwh_ore, 0) + coalesce(tariff.price_per_kwh_ore, 0), f.started_at, f.received_at,
           ${flagsOf(sql`f.flags`)} || case when f.reservation_id is not null and r.id is null then array['unknownReservation'] else '{}'::text[] end,
           f.received_at, f.received_at
    from unnest(${facts.map((f) => f.sessionId)}::int[], ${facts.map((f) => f.chargerId)}::int[], ${facts.map((f) => f.connectorId)}::int[],
                ${facts.map((f) => f.idTag)}::text[], ${facts.map((f) => f.reservationId)}::int[], ${facts.map(startStatus)}::text[],
                ${facts.map((f) => f.meterStartWh)}::bigint[], ${facts.map((f) => f.startedAt)}::timestamptz[], ${facts.map((f) => hourOf(f.startedAt))}::timestamptz[],
                ${facts.map((f) => joinFlags(f.flags))}::text[], ${facts.map((f) => f.receivedAt)}::timestamptz[])
      as f(id, charger_id, connector_id, id_tag, reservation_id, status, meter_start, started_at, hour, flags, received_at)
    left join chargers c on c.id = f.charger_id
    left join charge_points cp on cp.id = c.charge_point_id
    left join electricity_tariffs tariff on tariff.starts_at = f.hour
    left join reservations r on r.id = f.reservation_id and r.charger_id = f.charger_id
    left join lateral (select t.user_id from id_tags t where upper(t.id_tag) = upper(f.id_tag) limit 1) card on true
    on conflict do nothing`;
}

function updateRequestedStarts(facts: SessionStarted[]): RawBuilder<unknown> {
  return sql`
    update charging_sessions s set
      status = f.status, meter_start_wh = f.meter_start, started_at = f.started_at, start_received_at = f.received_at,
      reservation_id = coalesce(f.valid_reservation, s.reservation_id),
      flags = s.flags || ${flagsOf(sql`f.flags`)} || case when f.reservation_id is not null and f.valid_reservation is null then array['unknownReservation'] else '{}'::text[] end,
      updated_at = f.received_at
    from (
      select f.*, r.id as valid_reservation
      from unnest(${facts.map((f) => f.sessionId)}::int[], ${facts.map((f) => f.chargerId)}::int[], ${facts.map((f) => f.reservationId)}::int[],
                  ${facts.map(startStatus)}::text[], ${facts.map((f) => f.meterStartWh)}::bigint[],
                  ${facts.map((f) => f.startedAt)}::timestamptz[], ${facts.map((f) => joinFlags(f.flags))}::text[], ${facts.map((f) => f.receivedAt)}::timestamptz[])
        as f(id, charger_id, reservation_id, status, meter_start, started_at, flags, received_at)
      left join reservations r on r.id = f.reservation_id and r.charger_id = f.charger_id
    ) as f
    where s.id = f.id and s.started_at is null
      and not exists (select 1 from charging_sessions o where o.charger_id = s.charger_id and o.connector_id = s.connector_id
                      and o.started_at = f.started_at and o.meter_start_wh = f.meter_start)`;
}

/**
 * Samples keep the charger and session ids they were decided with: the charger side only
 * decides for connected chargers and sessions it knows, and readings are history that
 * outlives a removed charger (meter_values has no foreign keys, for speed).
 */
function insertSamples(facts: MeterSamples[]): RawBuilder<unknown> {
  // What is the same for all samples of a fact travels once per fact: the statement's
  // parameters are what crosses the socket, and their size is what it costs.
  const samples = facts.flatMap((fact, index) => fact.samples.map((sample) => ({ fact: index + 1, sample })));
  const column = <T>(pick: (row: (typeof samples)[number]) => T) => samples.map(pick);
  return sql`
    insert into meter_values (session_id, charger_id, connector_id, sampled_at, received_at, measurand, phase, location, context, value, raw_value, raw_unit)
    select f.session_id, f.charger_id, f.connector_id, s.sampled_at, f.received_at, s.measurand, s.phase, s.location, s.context, s.value, s.raw_value, s.raw_unit
    from unnest(${facts.map((f) => f.sessionId)}::int[], ${facts.map((f) => f.chargerId)}::int[], ${facts.map((f) => f.connectorId)}::int[],
                ${facts.map((f) => f.receivedAt)}::timestamptz[]) with ordinality as f(session_id, charger_id, connector_id, received_at, i)
    join unnest(${column((r) => r.fact)}::int[], ${column((r) => r.sample[0])}::timestamptz[], ${column((r) => r.sample[1])}::text[],
                ${column((r) => r.sample[2])}::text[], ${column((r) => r.sample[3])}::text[], ${column((r) => r.sample[4])}::text[],
                ${column((r) => r.sample[5])}::float8[], ${column((r) => r.sample[6])}::text[], ${column((r) => r.sample[7])}::text[])
      as s(fact, sampled_at, measurand, phase, location, context, value, raw_value, raw_unit) on s.fact = f.i
    on conflict do nothing`;
}

/**
 * A stop completes its open session. It also completes a session the central system
 * closed for want of a stop, as long as that session is not invoiced or captured yet: the
 * charger's own reading is better than the last one we had, and the price is made anew.
 * A stop whose session is not in the database becomes a flagged session of its own.
 */
function applyStops(facts: SessionStopped[]): RawBuilder<unknown>[] {
  const input = sql`unnest(${facts.map((f) => f.sessionId)}::int[], ${facts.map((f) => f.chargerId)}::int[], ${facts.map((f) => f.meterStopWh)}::bigint[],
      ${facts.map((f) => f.stoppedAt)}::timestamptz[], ${facts.map((f) => f.reason)}::text[], ${facts.map((f) => f.idTag)}::text[],
      ${facts.map((f) => joinFlags(f.flags))}::text[], ${facts.map((f) => f.socPercent)}::smallint[], ${facts.map((f) => f.powerW)}::int[],
      ${facts.map((f) => f.receivedAt)}::timestamptz[])
    as f(id, charger_id, meter_stop, stopped_at, reason, id_tag, flags, soc, power, received_at)`;
  const complete = sql`
    update charging_sessions s set
      status = ${COMPLETED},
      meter_stop_wh = f.meter_stop,
      energy_wh = coalesce(greatest(0, f.stop_register - coalesce(s.meter_start_wh, ${registerReading(sql`s.id`, 'asc')}, f.stop_register)), s.energy_wh),
      stopped_at = f.stopped_at,
      stop_reason = f.reason,
      state_of_charge_percent = coalesce(f.soc, s.state_of_charge_percent),
      power_w = coalesce(f.power, s.power_w),
      price_ore = case when s.status = ${COMPLETED} then null else s.price_ore end,
      price_breakdown = case when s.status = ${COMPLETED} then null else s.price_breakdown end,
      flags = s.flags || ${flagsOf(sql`f.flags`)}
        || case when s.status = ${COMPLETED} then array['stoppedAfterClose'] else '{}'::text[] end
        || case when f.meter_stop < s.meter_start_wh then array['meterStopBelowMeterStart'] else '{}'::text[] end
        || case when f.meter_stop < f.last_reading then array['meterStopBelowLastReading'] else '{}'::text[] end,
      updated_at = f.received_at
    from (
      -- A register only counts up: a stop below the session's last reading is the charger's mistake, not a refund.
      select f.*, last.reading as last_reading, greatest(f.meter_stop, last.reading) as stop_register
      from ${input}
      left join lateral (select ${registerReading(sql`f.id`, 'desc')} as reading) last on true
    ) as f
    where s.id = f.id and (s.status in ${OPEN} or (
      s.status = ${COMPLETED} and s.flags && ${CLOSE_FLAGS} and not 'stoppedAfterClose' = any(s.flags)
      and not exists (select 1 from invoice_lines l where l.session_id = s.id)
      and not exists (select 1 from payments p where p.session_id = s.id and p.status = ${CAPTURED})))`;
  const orphans = sql`
    insert into charging_sessions (id, charger_id, status, id_tag, meter_stop_wh, stopped_at, stop_reason, flags, created_at, updated_at)
    select f.id, c.id, ${COMPLETED}, f.id_tag, f.meter_stop, f.stopped_at, f.reason,
           case when 'unknownTransaction' = any(${flagsOf(sql`f.flags`)}) then ${flagsOf(sql`f.flags`)} else ${flagsOf(sql`f.flags`)} || array['unknownTransaction'] end,
           f.received_at, f.received_at
    from ${input}
    left join chargers c on c.id = f.charger_id
    where not exists (select 1 from charging_sessions s where s.id = f.id)
    on conflict do nothing`;
  return [complete, orphans];
}

/** Closes open sessions with the energy of their last reading (or what their summary said). */
function applyCloses(facts: SessionClosed[]): RawBuilder<unknown> {
  return sql`
    update charging_sessions s set
      status = ${CLOSED},
      meter_stop_wh = f.reading,
      energy_wh = coalesce(greatest(0, f.reading - coalesce(s.meter_start_wh, ${registerReading(sql`s.id`, 'asc')}, f.reading)), s.energy_wh),
      stopped_at = greatest(s.started_at, coalesce(f.reading_at, f.closed_at)),
      stop_reason = case when f.flag = 'closedAfterRefusedStart' then 'DeAuthorized' else 'Other' end,
      flags = s.flags || array[f.flag],
      updated_at = now()
    from (
      select f.*, last.value::bigint as reading, last.sampled_at as reading_at
      from unnest(${facts.map((f) => f.sessionId)}::int[], ${facts.map((f) => f.closedAt)}::timestamptz[], ${facts.map((f) => f.flag)}::text[])
        as f(id, closed_at, flag)
      left join lateral (
        select mv.value, mv.sampled_at from meter_values mv
        where mv.session_id = f.id and mv.measurand = 'Energy.Active.Import.Register' and mv.phase is null and ${PLAUSIBLE_REGISTER}
        order by mv.sampled_at desc limit 1) last on true
    ) as f
    where s.id = f.id and s.status in ${OPEN}`;
}

function applySummaries(facts: SessionSummary[]): RawBuilder<unknown> {
  return sql`
    update charging_sessions s set energy_wh = f.energy, power_w = f.power, state_of_charge_percent = f.soc, updated_at = now()
    from unnest(${facts.map((f) => f.sessionId)}::int[], ${facts.map((f) => f.energyWh)}::bigint[], ${facts.map((f) => f.powerW)}::int[],
                ${facts.map((f) => f.socPercent)}::smallint[]) as f(id, energy, power, soc)
    where s.id = f.id and s.status in ${literalList(RUNNING_SESSION_STATUSES)}`;
}
