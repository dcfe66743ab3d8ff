import type { Selectable } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { ChargingSessionsTable, PaymentStatus, SessionStatus } from '../../db/schema.ts';
import { DomainError, notFound } from '../errors.ts';
import type { AccessClaims } from '../tokens.ts';
import type { ChargerId, UserId } from '../units.ts';
import { amountFor } from './price.ts';
import { OPEN_SESSION_STATUSES } from './status.ts';
import type { LiveSummary } from './summaries.ts';

/** A session as the apps read it. */
export interface SessionView {
  id: number;
  chargerId: ChargerId | null;
  userId: UserId | null;
  status: SessionStatus;
  startedAt: Date | null;
  stoppedAt: Date | null;
  energyWh: number;
  socPercent: number | null;
  powerW: number | null;
  pricePerKwhOre: number;
  /** Final price once the session is completed; the running estimate before. */
  priceOre: number;
  discountOre: number;
  meterStartWh: number | null;
  paymentMethod: string;
  klarnaClientToken: string;
  klarnaSessionId: string;
  paymentStatus: PaymentStatus | null;
  paymentReference: string | null;
  createdAt: Date;
}

type SessionRow = Selectable<ChargingSessionsTable>;

/**
 * The newest summary of a running session, kept in memory by the node its charger is
 * connected to (the database gets it in intervals); undefined when none has it.
 */
export type LiveSummarySource = (sessionId: number, chargerId: ChargerId) => Promise<LiveSummary | undefined>;

/**
 * Sessions as the apps and admins read them: one, a user's, a charger's; with their
 * payment, and live while they charge. Only the owner (or an admin) sees a session.
 */
export class SessionViews {
  constructor(private readonly db: Db, private readonly liveSummary: LiveSummarySource) {}

  async get(sessionId: number, caller: AccessClaims): Promise<SessionView> {
    await this.owned(sessionId, caller);
    return this.view(sessionId);
  }

  async listForUser(userId: UserId, caller: AccessClaims): Promise<SessionView[]> {
    if (caller.role !== 'admin' && caller.userId !== userId) throw new DomainError('forbidden', ['forbiddenError'], 'You can only list your own sessions');
    return this.#views(await this.db.selectFrom('charging_sessions').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').execute());
  }

  /** A charger's sessions: all for admins, the caller's own for users. */
  async listForCharger(chargerId: ChargerId, caller: AccessClaims): Promise<SessionView[]> {
    let query = this.db.selectFrom('charging_sessions').selectAll().where('charger_id', '=', chargerId).orderBy('id', 'desc');
    if (caller.role !== 'admin') query = query.where('user_id', '=', caller.userId);
    return this.#views(await query.execute());
  }

  /** The session's row, when the caller may act on it. */
  async owned(sessionId: number, caller: AccessClaims): Promise<SessionRow> {
    const session = await this.db.selectFrom('charging_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
    // Someone else's session is reported as missing, so ids reveal nothing.
    if (!session || (caller.role !== 'admin' && session.user_id !== caller.userId)) throw notFound(`Transaction ${sessionId}`);
    return session;
  }

  async view(sessionId: number): Promise<SessionView> {
    const row = await this.db.selectFrom('charging_sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow();
    return (await this.#views([row]))[0]!;
  }

  /** Views of many sessions: their payments in one query. */
  async #views(rows: SessionRow[]): Promise<SessionView[]> {
    if (rows.length === 0) return [];
    const payments = await this.db.selectFrom('payments').selectAll().where('session_id', 'in', rows.map((row) => row.id)).orderBy('id').execute();
    const paymentOf = new Map(payments.map((payment) => [payment.session_id, payment]));
    const lives = await Promise.all(rows.map((row) => (OPEN_SESSION_STATUSES.includes(row.status) && row.charger_id !== null
      ? this.liveSummary(row.id, row.charger_id)
      : undefined)));
    return rows.map((row, index) => {
      const payment = paymentOf.get(row.id);
      const live = lives[index];
      return {
        id: row.id,
        chargerId: row.charger_id,
        userId: row.user_id,
        status: row.status,
        startedAt: row.started_at,
        stoppedAt: row.stopped_at,
        energyWh: live?.energyWh ?? row.energy_wh,
        socPercent: live ? live.socPercent : row.state_of_charge_percent,
        powerW: live ? live.powerW : row.power_w,
        pricePerKwhOre: row.price_per_kwh_ore,
        priceOre: row.price_ore ?? amountFor(live?.energyWh ?? row.energy_wh, row.price_per_kwh_ore),
        discountOre: row.discount_ore,
        meterStartWh: row.meter_start_wh,
        paymentMethod: row.payment_method,
        klarnaClientToken: payment?.klarna_client_token ?? '',
        klarnaSessionId: payment?.klarna_session_id ?? '',
        paymentStatus: payment?.status ?? null,
        paymentReference: payment?.klarna_order_id ?? null,
        createdAt: row.created_at,
      };
    });
  }
}
