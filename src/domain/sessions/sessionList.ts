import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { PaymentStatus, PriceLine, SessionStatus } from '../../db/schema.ts';
import type { ChargingPlan } from '../balancing/chargingPlan.ts';
import { planOf } from '../balancing/chargingPlans.ts';
import { DomainError, notFound } from '../errors.ts';
import type { ChargerId, ConnectorId, UserId } from '../units.ts';
import { OPEN_SESSION_STATUSES } from './status.ts';
import type { LiveSummarySource } from './views.ts';

/** Every value of charging_sessions.status (its CHECK allows exactly these). */
export const SESSION_STATUSES: readonly SessionStatus[] = ['Created', 'Starting', 'Charging', 'Stopping', 'Completed', 'Failed', 'Cancelled'];

/** A session as the operator dashboard lists it. */
export interface SessionSummary {
  id: number;
  chargerId: ChargerId | null;
  connectorId: ConnectorId | null;
  userId: UserId | null;
  userEmail: string | null;
  idTag: string | null;
  status: SessionStatus;
  paymentMethod: string;
  energyWh: number;
  powerW: number | null;
  /** The final price; null until the session is priced. */
  priceOre: number | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  stopReason: string | null;
  createdAt: Date;
}

export interface SessionFilter {
  chargerId?: ChargerId;
  userId?: UserId;
  status?: SessionStatus;
  /** On the session's start, or its creation when it never started. */
  from?: Date;
  to?: Date;
  limit: number;
  /** A session id: the page holds the sessions below it. */
  before?: number;
}

export interface SessionPage {
  sessions: SessionSummary[];
  /** The `before` of the next page; null on the last. */
  nextBefore: number | null;
}

export interface SessionMeterValue {
  at: Date;
  measurand: string;
  phase: string | null;
  value: number | null;
  unit: string | null;
}

export interface SessionPayment {
  id: number;
  provider: 'klarna' | 'invoice';
  status: PaymentStatus;
  authorizedOre: number;
  capturedOre: number;
  refundedOre: number;
  createdAt: Date;
  events: { at: Date; operation: string; outcome: string; httpStatus: number | null; detail: string | null }[];
}

export interface SessionDetail {
  session: SessionSummary & {
    pricePerKwhOre: number;
    discountOre: number;
    meterStartWh: number | null;
    meterStopWh: number | null;
    socPercent: number | null;
    flags: string[];
  };
  meterValues: SessionMeterValue[];
  /** The price hour by hour (and the session fee), once the session is priced. */
  priceLines: PriceLine[] | null;
  payments: SessionPayment[];
  /** The driver's "ready by then" plan; null without one. */
  chargingPlan: ChargingPlan | null;
}

/** The readings a session's detail carries: enough for a long session at one reading a minute, bounded for a chatty charger. */
export const MAX_SESSION_METER_VALUES = 5000;

function sessionsWithUsers(db: Db) {
  return db.selectFrom('charging_sessions as s').leftJoin('users as u', 'u.id', 's.user_id').select([
    's.id', 's.charger_id', 's.connector_id', 's.user_id', 'u.email', 's.id_tag', 's.status', 's.payment_method', 's.energy_wh', 's.power_w',
    's.price_ore', 's.started_at', 's.stopped_at', 's.stop_reason', 's.created_at', 's.price_per_kwh_ore', 's.discount_ore',
    's.meter_start_wh', 's.meter_stop_wh', 's.state_of_charge_percent', 's.flags', 's.price_breakdown',
  ]);
}

type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionsWithUsers>['executeTakeFirstOrThrow']>>;

function summaryOf(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    chargerId: row.charger_id,
    connectorId: row.connector_id,
    userId: row.user_id,
    userEmail: row.email,
    idTag: row.id_tag,
    status: row.status,
    paymentMethod: row.payment_method,
    energyWh: row.energy_wh,
    powerW: row.power_w,
    priceOre: row.price_ore,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    stopReason: row.stop_reason,
    createdAt: row.created_at,
  };
}

/** Sessions newest first, a page at a time; running sessions show what was last stored of them. */
export async function listSessions(db: Db, filter: SessionFilter): Promise<SessionPage> {
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new DomainError('invalid', ['invalidTimeRange'], '`from` is after `to`');
  }
  let query = sessionsWithUsers(db).orderBy('s.id', 'desc').limit(filter.limit + 1);
  if (filter.chargerId !== undefined) query = query.where('s.charger_id', '=', filter.chargerId);
  if (filter.userId !== undefined) query = query.where('s.user_id', '=', filter.userId);
  if (filter.status !== undefined) query = query.where('s.status', '=', filter.status);
  if (filter.before !== undefined) query = query.where('s.id', '<', filter.before);
  const began = sql<Date>`coalesce(s.started_at, s.created_at)`;
  if (filter.from) query = query.where(began, '>=', filter.from);
  if (filter.to) query = query.where(began, '<', filter.to);
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  return { sessions: page.map(summaryOf), nextBefore: rows.length > filter.limit ? page[page.length - 1]!.id : null };
}

/**
 * One session with everything an operator looks at: its readings, its price line by line,
 * its payments with every call to the payment provider, and its driver's charging plan. A
 * running session shows its newest summary from the node its charger is on.
 */
export async function readSessionDetail(db: Db, sessionId: number, liveSummary: LiveSummarySource): Promise<SessionDetail> {
  const row = await sessionsWithUsers(db).where('s.id', '=', sessionId).executeTakeFirst();
  if (!row) throw notFound(`Session ${sessionId}`);
  const [meterValues, payments, live, plan] = await Promise.all([
    db.selectFrom('meter_values').select(['sampled_at', 'measurand', 'phase', 'value', 'raw_unit'])
      .where('session_id', '=', sessionId).orderBy('sampled_at').limit(MAX_SESSION_METER_VALUES).execute(),
    db.selectFrom('payments').select(['id', 'provider', 'status', 'authorized_ore', 'captured_ore', 'refunded_ore', 'created_at'])
      .where('session_id', '=', sessionId).orderBy('id').execute(),
    OPEN_SESSION_STATUSES.includes(row.status) && row.charger_id !== null ? liveSummary(row.id, row.charger_id) : undefined,
    planOf(db, sessionId),
  ]);
  const events = payments.length === 0
    ? []
    : await db.selectFrom('payment_events').select(['payment_id', 'created_at', 'operation', 'outcome', 'http_status', 'detail'])
      .where('payment_id', 'in', payments.map((payment) => payment.id)).orderBy('id').execute();
  const summary = summaryOf(row);
  return {
    session: {
      ...summary,
      energyWh: live?.energyWh ?? summary.energyWh,
      powerW: live ? live.powerW : summary.powerW,
      pricePerKwhOre: row.price_per_kwh_ore,
      discountOre: row.discount_ore,
      meterStartWh: row.meter_start_wh,
      meterStopWh: row.meter_stop_wh,
      socPercent: live ? live.socPercent : row.state_of_charge_percent,
      flags: row.flags,
    },
    meterValues: meterValues.map((reading) => ({ at: reading.sampled_at, measurand: reading.measurand, phase: reading.phase, value: reading.value, unit: reading.raw_unit })),
    priceLines: row.price_breakdown,
    payments: payments.map((payment) => ({
      id: payment.id,
      provider: payment.provider,
      status: payment.status,
      authorizedOre: payment.authorized_ore,
      capturedOre: payment.captured_ore,
      refundedOre: payment.refunded_ore,
      createdAt: payment.created_at,
      events: events.filter((event) => event.payment_id === payment.id).map((event) => ({
        at: event.created_at, operation: event.operation, outcome: event.outcome, httpStatus: event.http_status, detail: event.detail,
      })),
    })),
    chargingPlan: plan ?? null,
  };
}
