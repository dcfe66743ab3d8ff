import { sql } from 'kysely';
import type { Logger } from 'pino';
import { Batcher } from '../../db/batcher.ts';
import type { Db } from '../../db/connection.ts';
import type { ChargePointId } from '../units.ts';
import { notFound } from '../errors.ts';
import type { Bus } from '../bus.ts';
import { createPayment, createPayments, paymentOf, paymentsOfSessions, setPayment, setPayments, type PaymentProvider } from '../payments.ts';
import { paymentLifecycle } from '../paymentStatus.ts';
import type { AccessClaims } from '../tokens.ts';
import { hoursOf, loadTariffs, loadUnpriced, priceOf } from './price.ts';
import type { SessionView, SessionViews } from './views.ts';

/** Sessions ending within this long of each other are priced together: fewer, larger statements in a busy fleet. */
const PRICING_WINDOW_MS = 20;

/**
 * The money side of charging sessions: a session the app creates gets a payment holding
 * what its charge point asks for, authorized when it starts and released when it ends
 * before it began; every completed session, whoever stopped it, is priced hour by hour
 * and settled. An admin may refund what was captured.
 */
export class SessionSettlement {
  /** Per session, the latest pricing run asked for, and whether it has begun reading the session. */
  readonly #finalizing = new Map<number, { done: Promise<void>; begun: boolean }>();
  /** Sessions ending at the same moment (a busy fleet) are priced and settled together, in a few statements. */
  readonly #pricing = new Batcher<number, undefined>(async (sessionIds) => {
    await this.#finalizeMany([...new Set(sessionIds)]);
    return sessionIds.map(() => undefined);
  }, PRICING_WINDOW_MS);

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly payments: PaymentProvider,
    private readonly views: SessionViews,
    private readonly logger: Logger,
  ) {
    // Sessions stopped at the charger (RFID, unplugging) are priced and settled too, by the
    // node that stored the stop (the others hear of it as well, and leave it to that one).
    bus.subscribe('sessionStopped', ({ sessionId }, { local }) => {
      if (!local) return;
      this.finalize(sessionId).catch((error: unknown) => logger.error({ err: error, sessionId }, 'could not price the session'));
    });
  }

  /** How sessions are paid (a session's payment_method). */
  get method(): PaymentProvider['name'] {
    return this.payments.name;
  }

  /** Opens the payment of a session the app created, holding the charge point's reservation amount. */
  async open(sessionId: number, chargePointId: ChargePointId): Promise<void> {
    const site = await this.db.selectFrom('charge_points').select('reservation_amount_ore').where('id', '=', chargePointId).executeTakeFirst();
    const payment = await createPayment(this.db, sessionId, this.payments, site?.reservation_amount_ore ?? 0);
    const opened = await this.payments.open(payment.id, payment.authorized_ore);
    await setPayment(this.db, payment.id, { klarna_session_id: opened.providerSessionId, klarna_client_token: opened.clientToken });
  }

  /** A session starts: its payment is authorized with the token from the provider's widget. */
  async authorize(paymentId: number, authorizationToken: string | undefined): Promise<void> {
    await this.payments.authorize(paymentId, authorizationToken);
    await setPayment(this.db, paymentId, { status: paymentLifecycle.to('authorized') });
  }

  /** A session that ended before it began owes nothing: its hold is given back. */
  async release(sessionId: number): Promise<void> {
    const payment = await paymentOf(this.db, sessionId);
    if (!payment) return;
    await this.payments.release(payment.id).catch((error: unknown) => this.logger.error({ err: error, sessionId }, 'could not release the payment'));
    await setPayment(this.db, payment.id, { status: paymentLifecycle.to('released') });
  }

  /**
   * Prices a completed session hour by hour and settles its payment. Callers at the same
   * time (the stop request and the charger's StopTransaction) share one run, so the stop
   * answers with the settled payment. A call while a run is under way gets a run of its own
   * after it: the session may have changed since that run read it (the charger's own stop
   * after a close makes the price anew), and a finished session is not priced twice anyway.
   */
  finalize(sessionId: number): Promise<void> {
    const last = this.#finalizing.get(sessionId);
    if (last && !last.begun) return last.done;
    const run = { begun: false, done: Promise.resolve() };
    run.done = (last ? last.done.catch(() => undefined) : Promise.resolve())
      .then(() => {
        run.begun = true;
        return this.#pricing.add(sessionId);
      })
      .then(() => undefined)
      .finally(() => {
        if (this.#finalizing.get(sessionId) === run) this.#finalizing.delete(sessionId);
      });
    this.#finalizing.set(sessionId, run);
    return run.done;
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
        const settled = await this.payments.settle(payment.id, amount);
        return { paymentId: payment.id, status: paymentLifecycle.to(settled), capturedOre: settled === 'captured' ? amount : 0 };
      } catch (error) {
        // Left visibly unpaid for an admin; the session itself is complete.
        this.logger.error({ err: error, sessionId: payment.session_id }, 'payment settlement failed');
        return { paymentId: payment.id, status: paymentLifecycle.to('settlementFailed'), capturedOre: null };
      }
    }));
    await setPayments(this.db, outcomes);
    for (const sessionId of priced) this.bus.publish('sessionSettled', { sessionId }, String(sessionId));
  }

  /** An admin gives back part or all of a session's captured payment. */
  async refund(sessionId: number, amount: number): Promise<SessionView> {
    const payment = await paymentOf(this.db, sessionId);
    if (!payment) throw notFound(`Payment of transaction ${sessionId}`);
    await this.payments.refund(payment.id, amount);
    return this.views.view(sessionId);
  }

  /** Records the payment provider's order id for a session (the 2022 apps sent it separately). */
  async setPaymentReference(sessionId: number, caller: AccessClaims, reference: string): Promise<SessionView> {
    await this.views.owned(sessionId, caller);
    const payment = (await paymentOf(this.db, sessionId)) ?? (await createPayment(this.db, sessionId, this.payments, 0));
    await this.db.updateTable('payments').set({ klarna_order_id: reference, updated_at: new Date() }).where('id', '=', payment.id).execute();
    return this.views.view(sessionId);
  }
}
