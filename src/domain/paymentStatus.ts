import type { PaymentStatus } from '../db/schema.ts';
import { Lifecycle } from './lifecycle.ts';

/** What settling a payment came to at the payment provider. */
export type Settlement = 'captured' | 'invoiced' | 'nothingOwed';

/** What happens to a session's payment. */
export type PaymentEvent = 'opened' | 'authorized' | 'released' | Settlement | 'settlementFailed';

/** Settled as it should be: the session is paid for, billed, or owed nothing (the 2022 apps' `paymentConfirmed`). */
export const SETTLED_PAYMENT_STATUSES: readonly PaymentStatus[] = ['Captured', 'Invoiced', 'NothingOwed'];

/**
 * A payment is settled in any status but Captured: Open (a session started at the charger
 * holds nothing), Authorized (the app's), Released (an app session that failed, which its
 * charger began after all), and again after a settlement when the charger's real stop
 * reprices a session the central system closed. Captured money is only ever refunded.
 */
const SETTLEABLE: readonly PaymentStatus[] = ['Open', 'Authorized', 'Released', 'Invoiced', 'NothingOwed', 'SettlementFailed'];

/**
 * A session's payment lifecycle (payments.status). Its writes are not guarded in SQL: each
 * follows a guarded step of its session — the start request's claim, the end of a session
 * that had not begun, the pricing of a completed one — which orders them already.
 */
export const paymentLifecycle = new Lifecycle<PaymentStatus, PaymentEvent>({
  /** A session gets its payment: the app's holds the charge point's reservation amount, one started at the charger nothing. */
  opened: { from: [null], to: 'Open' },
  /** The app starts the session: the provider authorizes the hold. */
  authorized: { from: ['Open'], to: 'Authorized' },
  /** The session ended before it began: nothing is owed, the hold goes back. */
  released: { from: ['Open', 'Authorized'], to: 'Released' },
  /** The final price is taken from the hold. */
  captured: { from: SETTLEABLE, to: 'Captured' },
  /** The final price goes on the user's monthly invoice. */
  invoiced: { from: SETTLEABLE, to: 'Invoiced' },
  /** The price is nothing: the hold is cancelled. */
  nothingOwed: { from: SETTLEABLE, to: 'NothingOwed' },
  /** The provider failed: left visibly unpaid for an admin. */
  settlementFailed: { from: SETTLEABLE, to: 'SettlementFailed' },
});
