import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { PaymentStatus } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { paymentLifecycle, type Settlement } from './paymentStatus.ts';
import type { Ore } from './units.ts';

/** What the app needs to show the provider's payment widget. */
export interface PaymentSession {
  providerSessionId: string;
  clientToken: string;
}

/**
 * A way to pay for a charge: hold money when a session is created, authorize at start,
 * settle the final price at stop, or release the hold when nothing is owed.
 */
export interface PaymentProvider {
  readonly name: 'klarna' | 'invoice';
  open(paymentId: number, amount: Ore): Promise<PaymentSession>;
  authorize(paymentId: number, authorizationToken: string | undefined): Promise<void>;
  /** Settles `amount` (the final price), answering what that came to. */
  settle(paymentId: number, amount: Ore): Promise<Settlement>;
  release(paymentId: number): Promise<void>;
  /** Gives back part or all of what was captured. */
  refund(paymentId: number, amount: Ore): Promise<void>;
}

/** No payment provider (BYPASS_KLARNA=1): every session is recorded as payable by invoice. */
export class InvoicePaymentProvider implements PaymentProvider {
  readonly name = 'invoice' as const;
  async open(): Promise<PaymentSession> {
    return { providerSessionId: '', clientToken: '' };
  }
  async authorize(): Promise<void> {}
  async settle(_paymentId: number, amount: Ore): Promise<Settlement> {
    return amount === 0 ? 'nothingOwed' : 'invoiced';
  }
  async release(): Promise<void> {}
  async refund(): Promise<void> {
    throw new DomainError('conflict', ['refundNotPossible'], 'Nothing was captured: sessions payable by invoice are credited on the invoice');
  }
}

export async function createPayment(db: Db, sessionId: number, provider: PaymentProvider, hold: Ore) {
  return db
    .insertInto('payments')
    .values({ session_id: sessionId, provider: provider.name, status: paymentLifecycle.to('opened'), authorized_ore: hold })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function paymentOf(db: Db, sessionId: number) {
  return db.selectFrom('payments').selectAll().where('session_id', '=', sessionId).orderBy('id', 'desc').executeTakeFirst();
}

export async function setPayment(db: Db, paymentId: number, changes: { status?: PaymentStatus; captured_ore?: number; klarna_session_id?: string; klarna_client_token?: string }) {
  await db.updateTable('payments').set({ ...changes, updated_at: new Date() }).where('id', '=', paymentId).execute();
}

/** Stores one payment provider call and its outcome. */
export async function recordPaymentEvent(
  db: Db, paymentId: number, operation: string, idempotencyKey: string, outcome: { httpStatus: number | null; body: unknown } | Error,
): Promise<void> {
  const failed = outcome instanceof Error;
  await db.insertInto('payment_events').values({
    payment_id: paymentId,
    operation,
    idempotency_key: idempotencyKey,
    http_status: failed ? null : outcome.httpStatus,
    outcome: failed ? 'networkError' : outcome.httpStatus !== null && outcome.httpStatus < 300 ? 'ok' : 'refused',
    detail: (failed ? outcome.message : JSON.stringify(outcome.body)).slice(0, 2000),
  }).execute();
}

/** The latest payment of each of these sessions, in one query. */
export async function paymentsOfSessions(db: Db, sessionIds: number[]) {
  if (sessionIds.length === 0) return [];
  return db.selectFrom('payments').selectAll().where('session_id', 'in', sessionIds)
    .distinctOn('session_id').orderBy('session_id').orderBy('id', 'desc').execute();
}

/** Payments (nothing held) for sessions that had none, e.g. started with a card at the charger; one insert. */
export async function createPayments(db: Db, sessionIds: number[], provider: PaymentProvider) {
  if (sessionIds.length === 0) return [];
  return db.insertInto('payments').values(sessionIds.map((sessionId) => ({ session_id: sessionId, provider: provider.name, status: paymentLifecycle.to('opened'), authorized_ore: 0 })))
    .returningAll().execute();
}

/** Settlement outcomes of many payments in one statement; a null capture leaves what was captured. */
export async function setPayments(db: Db, outcomes: { paymentId: number; status: PaymentStatus; capturedOre: number | null }[]): Promise<void> {
  if (outcomes.length === 0) return;
  await sql`
    update payments p set status = f.status, captured_ore = coalesce(f.captured, p.captured_ore), updated_at = now()
    from unnest(${outcomes.map((o) => o.paymentId)}::int[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.capturedOre)}::int[])
      as f(id, status, captured)
    where p.id = f.id`.execute(db);
}
