import { sql, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import { Batcher } from '../db/batcher.ts';
import type { Db } from '../db/connection.ts';
import type { ChargingSessionsTable } from '../db/schema.ts';
import type { ChargerGateway } from './chargerGateway.ts';
import { getCharger } from './chargers.ts';
import { DomainError, notFound } from './errors.ts';
import { nextEvent, type ChargingEvents } from './events.ts';
import { createPayment, createPayments, paymentOf, paymentsOfSessions, setPayment, setPayments, type PaymentProvider } from './payments.ts';
import { currentPricePerKwh } from './pricing.ts';
import { activeReservation, reserveCharger, setReservationStatus } from './reservations.ts';
import { amountFor, hoursOf, loadTariffs, loadUnpriced, priceOf } from './sessions/price.ts';
import type { SessionSummaries } from './sessions/summaries.ts';
import type { AccessClaims } from './tokens.ts';
import type { ChargerId, UserId } from './units.ts';

export interface SessionSettings {
  startTimeoutMs: number;
  reservationMinutes: number;
}

/** A session as the apps read it. */
export interface SessionView {
  id: number;
  chargerId: ChargerId | null;
  userId: UserId | null;
  status: string;
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
  paymentStatus: string | null;
  paymentReference: string | null;
  createdAt: Date;
}

const FINISHED = ['Completed', 'Failed', 'Cancelled'];
/** Sessions ending within this long of each other are priced together: fewer, larger statements in a busy fleet. */
const PRICING_WINDOW_MS = 20;

/** The idTag a session started from the app presents to the charger: its own id, digits only. */
const sessionIdTag = (sessionId: number) => String(sessionId);

/**
 * Charging sessions from the app's side: create (check and reserve the charger, open the
 * payment), start (RemoteStartTransaction, then wait for the charger's StartTransaction),
 * stop (RemoteStopTransaction, wait for StopTransaction), and price and settle every
 * finished session, whoever stopped it.
 */
export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly gateway: ChargerGateway,
    private readonly events: ChargingEvents,
    private readonly summaries: SessionSummaries,
    private readonly payments: PaymentProvider,
    private readonly settings: SessionSettings,
    private readonly logger: Logger,
  ) {
    // Sessions stopped at the charger (RFID, unplugging) are priced and settled too.
    events.on('sessionStopped', ({ sessionId }) => {
      this.finalize(sessionId).catch((error: unknown) => logger.error({ err: error, sessionId }, 'could not price the session'));
    });
  }

  async create(chargerId: ChargerId, userId: UserId, paymentType: string): Promise<SessionView> {
    const charger = await getCharger(this.db, chargerId);
    if (!this.gateway.isConnected(chargerId)) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} is offline`);
    const reservation = await activeReservation(this.db, chargerId);
    const ownReservation = reservation?.user_id === userId;
    if (reservation && !ownReservation) throw new DomainError('conflict', ['chargerReserved'], `Charger ${chargerId} is reserved by someone else`);
    if (charger.status !== 'Available' && !(charger.status === 'Reserved' && ownReservation)) {
      throw new DomainError('conflict', ['chargerNotAvailable'], `Charger ${chargerId} is ${charger.status}`);
    }

    const session = await this.db
      .insertInto('charging_sessions')
      .values({ charger_id: chargerId, connector_id: 1, user_id: userId, status: 'Created', payment_method: this.payments.name })
      .returning('id')
      .executeTakeFirstOrThrow();
    // On a charger the user reserved, the session presents the reservation's tag (the one the charger holds).
    const idTag = ownReservation ? reservation!.id_tag : sessionIdTag(session.id);
    await this.db.updateTable('charging_sessions').set({ id_tag: idTag }).where('id', '=', session.id).execute();

    try {
      const held = ownReservation
        ? reservation!
        : await reserveCharger(this.db, this.gateway, { chargerId, userId, idTag, minutes: this.settings.reservationMinutes });
      await this.db.updateTable('charging_sessions').set({ reservation_id: held.id }).where('id', '=', session.id).execute();
      const site = await this.db.selectFrom('charge_points').select('reservation_amount_ore').where('id', '=', charger.charge_point_id).executeTakeFirst();
      const payment = await createPayment(this.db, session.id, this.payments, site?.reservation_amount_ore ?? 0);
      const opened = await this.payments.open(payment.id, payment.authorized_ore);
      await setPayment(this.db, payment.id, { klarna_session_id: opened.providerSessionId, klarna_client_token: opened.clientToken });
      this.logger.info({ sessionId: session.id, chargerId, userId, paymentType }, 'session created');
    } catch (error) {
      await this.fail(session.id, 'reservation or payment failed');
      throw error;
    }
    return this.view(session.id);
  }

  async start(sessionId: number, caller: AccessClaims, authorizationToken?: string): Promise<SessionView> {
    const session = await this.owned(sessionId, caller);
    if (session.status !== 'Created') throw new DomainError('conflict', ['sessionNotStartable'], `Session ${sessionId} is ${session.status}`);
    const claimed = await this.db
      .updateTable('charging_sessions')
      .set({ status: 'Starting', updated_at: new Date() })
      .where('id', '=', sessionId)
      .where('status', '=', 'Created')
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) throw new DomainError('conflict', ['sessionNotStartable'], `Session ${sessionId} is already starting`);

    const chargerId = session.charger_id!;
    const payment = await paymentOf(this.db, sessionId);
    const started = nextEvent(this.events, 'sessionStarted', (event) => event.sessionId === sessionId, this.settings.startTimeoutMs);
    started.promise.catch(() => undefined);
    try {
      if (payment) {
        await this.payments.authorize(payment.id, authorizationToken);
        await setPayment(this.db, payment.id, { status: 'Authorized' });
      }
      await this.db.updateTable('charging_sessions').set({ price_per_kwh_ore: await currentPricePerKwh(this.db, chargerId) }).where('id', '=', sessionId).execute();
      const answer = await this.gateway.send(chargerId, 'RemoteStartTransaction', { connectorId: session.connector_id ?? 1, idTag: session.id_tag! });
      if (answer.status !== 'Accepted') throw new DomainError('conflict', ['couldNotStartTransaction'], `Charger ${chargerId} rejected the start`);
      await started.promise.catch(() => {
        throw new DomainError('timeout', ['chargerTimeout'], `Charger ${chargerId} accepted the start but did not begin charging within ${this.settings.startTimeoutMs / 1000} s`);
      });
    } catch (error) {
      started.cancel();
      await this.fail(sessionId, error instanceof Error ? error.message : 'start failed');
      throw error;
    }
    if (session.reservation_id) await setReservationStatus(this.db, session.reservation_id, 'Used');
    return this.view(sessionId);
  }

  async stop(sessionId: number, caller: AccessClaims): Promise<SessionView> {
    const session = await this.owned(sessionId, caller);
    if (FINISHED.includes(session.status)) return this.view(sessionId);
    if (session.status === 'Created') {
      await this.cancel(sessionId);
      return this.view(sessionId);
    }
    if (session.status !== 'Charging' && session.status !== 'Stopping') {
      throw new DomainError('conflict', ['sessionNotStoppable'], `Session ${sessionId} is ${session.status}`);
    }
    const stopped = nextEvent(this.events, 'sessionStopped', (event) => event.sessionId === sessionId, this.settings.startTimeoutMs);
    stopped.promise.catch(() => undefined);
    try {
      const answer = await this.gateway.send(session.charger_id!, 'RemoteStopTransaction', { transactionId: sessionId });
      if (answer.status !== 'Accepted') throw new DomainError('conflict', ['couldNotStopTransaction'], `Charger ${session.charger_id} rejected the stop`);
      await stopped.promise.catch(() => {
        throw new DomainError('timeout', ['chargerTimeout'], `Charger ${session.charger_id} accepted the stop but has not reported it yet; the session stays open until it does`);
      });
    } catch (error) {
      stopped.cancel();
      throw error;
    }
    await this.finalize(sessionId);
    return this.view(sessionId);
  }

  readonly #finalizing = new Map<number, Promise<void>>();
  /** Sessions ending at the same moment (a busy fleet) are priced and settled together, in a few statements. */
  readonly #pricing = new Batcher<number, undefined>(async (sessionIds) => {
    await this.#finalizeMany([...new Set(sessionIds)]);
    return sessionIds.map(() => undefined);
  }, PRICING_WINDOW_MS);

  /**
   * Prices a completed session hour by hour and settles its payment; once. Callers at the
   * same time (the stop request and the charger's StopTransaction) share one run, so the
   * stop answers with the settled payment.
   */
  finalize(sessionId: number): Promise<void> {
    let running = this.#finalizing.get(sessionId);
    if (!running) {
      running = this.#pricing.add(sessionId).then(() => undefined).finally(() => this.#finalizing.delete(sessionId));
      this.#finalizing.set(sessionId, running);
    }
    return running;
  }

  async #finalizeMany(sessionIds: number[]): Promise<void> {
    const inputs = await loadUnpriced(this.db, sessionIds);
    if (inputs.length === 0) return;
    const tariffs = await loadTariffs(this.db, inputs.flatMap(hoursOf));
    const prices = new Map(inputs.map((input) => [input.sessionId, priceOf(input, tariffs)]));
    const ids = [...prices.keys()];
    // Only the sessions this run priced are settled: another node may have priced some meanwhile.
    const { rows } = await sql<{ id: number }>`
      update charging_sessions s set price_ore = f.price, price_breakdown = f.breakdown::jsonb, updated_at = now(),
        flags = case when f.implausible then s.flags || array['implausibleEnergy'] else s.flags end
      from unnest(${ids}::int[], ${ids.map((id) => prices.get(id)!.totalOre)}::int[], ${ids.map((id) => JSON.stringify(prices.get(id)!.lines))}::text[],
                  ${ids.map((id) => prices.get(id)!.implausible === true)}::boolean[])
        as f(id, price, breakdown, implausible)
      where s.id = f.id and s.price_ore is null
      returning s.id`.execute(this.db);
    const priced = rows.map((row) => row.id);
    const existing = await paymentsOfSessions(this.db, priced);
    const withPayment = new Set(existing.map((payment) => payment.session_id));
    const created = await createPayments(this.db, priced.filter((id) => !withPayment.has(id)), this.payments);
    const outcomes = await Promise.all([...existing, ...created].map(async (payment) => {
      const amount = prices.get(payment.session_id)!.totalOre;
      try {
        const status = await this.payments.settle(payment.id, amount);
        return { paymentId: payment.id, status, capturedOre: status === 'Captured' ? amount : 0 };
      } catch (error) {
        // Left visibly unpaid for an admin; the session itself is complete.
        this.logger.error({ err: error, sessionId: payment.session_id }, 'payment settlement failed');
        return { paymentId: payment.id, status: 'SettlementFailed', capturedOre: null };
      }
    }));
    await setPayments(this.db, outcomes);
  }

  /** An admin gives back part or all of a session's captured payment. */
  async refund(sessionId: number, amount: number): Promise<SessionView> {
    const payment = await paymentOf(this.db, sessionId);
    if (!payment) throw notFound(`Payment of transaction ${sessionId}`);
    await this.payments.refund(payment.id, amount);
    return this.view(sessionId);
  }

  async get(sessionId: number, caller: AccessClaims): Promise<SessionView> {
    await this.owned(sessionId, caller);
    return this.view(sessionId);
  }

  async listForUser(userId: UserId, caller: AccessClaims): Promise<SessionView[]> {
    if (caller.role !== 'admin' && caller.userId !== userId) throw new DomainError('forbidden', ['forbiddenError'], 'You can only list your own sessions');
    return this.views(await this.db.selectFrom('charging_sessions').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').execute());
  }

  /** A charger's sessions: all for admins, the caller's own for users. */
  async listForCharger(chargerId: ChargerId, caller: AccessClaims): Promise<SessionView[]> {
    let query = this.db.selectFrom('charging_sessions').selectAll().where('charger_id', '=', chargerId).orderBy('id', 'desc');
    if (caller.role !== 'admin') query = query.where('user_id', '=', caller.userId);
    return this.views(await query.execute());
  }

  /** Records the payment provider's order id for a session (the 2022 apps sent it separately). */
  async setPaymentReference(sessionId: number, caller: AccessClaims, reference: string): Promise<SessionView> {
    await this.owned(sessionId, caller);
    const payment = (await paymentOf(this.db, sessionId)) ?? (await createPayment(this.db, sessionId, this.payments, 0));
    await this.db.updateTable('payments').set({ klarna_order_id: reference, updated_at: new Date() }).where('id', '=', payment.id).execute();
    return this.view(sessionId);
  }

  /**
   * An admin's correction of a session's energy or charge level (the charger's readings
   * stay as they were); flagged so the correction is visible.
   */
  async correctMeter(sessionId: number, correction: { energyWh?: number; socPercent?: number }): Promise<SessionView> {
    const session = await this.db.selectFrom('charging_sessions').select('id').where('id', '=', sessionId).executeTakeFirst();
    if (!session) throw notFound(`Transaction ${sessionId}`);
    await this.db
      .updateTable('charging_sessions')
      .set((eb) => ({
        energy_wh: correction.energyWh,
        state_of_charge_percent: correction.socPercent,
        flags: sql<string[]>`array_append(${eb.ref('flags')}, 'manualMeterCorrection')`,
        updated_at: new Date(),
      }))
      .where('id', '=', sessionId)
      .execute();
    return this.view(sessionId);
  }

  private async owned(sessionId: number, caller: AccessClaims) {
    const session = await this.db.selectFrom('charging_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
    // Someone else's session is reported as missing, so ids reveal nothing.
    if (!session || (caller.role !== 'admin' && session.user_id !== caller.userId)) throw notFound(`Transaction ${sessionId}`);
    return session;
  }

  private async fail(sessionId: number, reason: string): Promise<void> {
    await this.close(sessionId, 'Failed', reason);
  }

  private async cancel(sessionId: number): Promise<void> {
    await this.close(sessionId, 'Cancelled', 'cancelled before start');
  }

  private async close(sessionId: number, status: 'Failed' | 'Cancelled', reason: string): Promise<void> {
    const session = await this.db
      .updateTable('charging_sessions')
      .set({ status, stop_reason: reason, updated_at: new Date() })
      .where('id', '=', sessionId)
      .where('status', 'in', ['Created', 'Starting'])
      .returning(['reservation_id'])
      .executeTakeFirst();
    if (!session) return;
    if (session.reservation_id) {
      const reservation = await this.db.selectFrom('reservations').select(['charger_id', 'status']).where('id', '=', session.reservation_id).executeTakeFirst();
      if (reservation && (reservation.status === 'Accepted' || reservation.status === 'Requested')) {
        if (this.gateway.isConnected(reservation.charger_id) && this.gateway.supportsReservations(reservation.charger_id)) {
          await this.gateway.send(reservation.charger_id, 'CancelReservation', { reservationId: session.reservation_id }).catch(() => undefined);
        }
        await setReservationStatus(this.db, session.reservation_id, 'Cancelled');
      }
    }
    const payment = await paymentOf(this.db, sessionId);
    if (payment) {
      await this.payments.release(payment.id).catch((error: unknown) => this.logger.error({ err: error, sessionId }, 'could not release the payment'));
      await setPayment(this.db, payment.id, { status: 'Released' });
    }
    this.logger.info({ sessionId, status, reason }, 'session closed');
  }

  async view(sessionId: number): Promise<SessionView> {
    const row = await this.db.selectFrom('charging_sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow();
    return (await this.views([row]))[0]!;
  }

  /** Views of many sessions: their payments in one query. */
  private async views(rows: Selectable<ChargingSessionsTable>[]): Promise<SessionView[]> {
    if (rows.length === 0) return [];
    const payments = await this.db.selectFrom('payments').selectAll().where('session_id', 'in', rows.map((row) => row.id)).orderBy('id').execute();
    const paymentOf = new Map(payments.map((payment) => [payment.session_id, payment]));
    return rows.map((row) => {
      const payment = paymentOf.get(row.id);
      // While it charges, the newest reading is in memory (the database gets it in intervals).
      const live = this.summaries.live(row.id);
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
