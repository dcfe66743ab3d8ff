import type { Db } from '../db/connection.ts';
import { DomainError } from '../domain/errors.ts';
import type { PaymentProvider, PaymentSession } from '../domain/payments.ts';
import type { Settlement } from '../domain/paymentStatus.ts';
import type { Ore } from '../domain/units.ts';
import { VAT_PERCENT, vatOf } from '../domain/invoices.ts';
import type { KlarnaClient } from './klarnaClient.ts';

const PURCHASE = { purchase_country: 'SE', purchase_currency: 'SEK', locale: 'sv-SE' } as const;

/** One order line for a charge of `amount` öre (VAT included, as Klarna expects). */
function order(amount: Ore) {
  const tax = vatOf(amount);
  return {
    order_amount: amount,
    order_tax_amount: tax,
    order_lines: [{
      type: 'digital', name: 'Electric vehicle charging', quantity: 1, unit_price: amount, tax_rate: VAT_PERCENT * 100,
      total_amount: amount, total_discount_amount: 0, total_tax_amount: tax,
    }],
  };
}

/**
 * Klarna Payments: a payment session for the charge point's reservation amount when the
 * session is created; an order (an authorization hold) from the app's authorization token
 * at start; at stop the order is reduced to the final price and captured, or cancelled
 * when nothing is owed; a failed start releases it.
 */
export class KlarnaPaymentProvider implements PaymentProvider {
  readonly name = 'klarna' as const;

  constructor(private readonly db: Db, private readonly client: KlarnaClient) {}

  async open(paymentId: number, amount: Ore): Promise<PaymentSession> {
    const session = await this.client.call(paymentId, 'createSession', 'POST', '/payments/v1/sessions', { ...PURCHASE, ...order(amount) }, [200]);
    if (typeof session.session_id !== 'string' || typeof session.client_token !== 'string') {
      throw new DomainError('badGateway', ['klarnaResponseParseError'], 'Klarna answered without session_id or client_token');
    }
    return { providerSessionId: session.session_id, clientToken: session.client_token };
  }

  async authorize(paymentId: number, authorizationToken: string | undefined): Promise<void> {
    if (!authorizationToken) throw new DomainError('invalid', ['klarnaNotAuthorized'], 'authorization_token from the Klarna widget is required to start');
    const payment = await this.#payment(paymentId);
    const created = await this.client.call(paymentId, 'createOrder', 'POST', `/payments/v1/authorizations/${encodeURIComponent(authorizationToken)}/order`, { ...PURCHASE, ...order(payment.authorized_ore) }, [200]);
    if (typeof created.order_id !== 'string') throw new DomainError('badGateway', ['klarnaResponseParseError'], 'Klarna answered without order_id');
    await this.db.updateTable('payments').set({ klarna_order_id: created.order_id, updated_at: new Date() }).where('id', '=', paymentId).execute();
  }

  async settle(paymentId: number, amount: Ore): Promise<Settlement> {
    const payment = await this.#payment(paymentId);
    const orderId = payment.klarna_order_id;
    if (!orderId) throw new DomainError('badGateway', ['klarnaOrderNotFound'], 'No Klarna order to settle');
    if (amount === 0) {
      await this.client.call(paymentId, 'cancel', 'POST', `/ordermanagement/v1/orders/${orderId}/cancel`, undefined, [204]);
      return 'nothingOwed';
    }
    if (amount !== payment.authorized_ore) {
      await this.client.call(paymentId, 'updateAuthorization', 'PATCH', `/ordermanagement/v1/orders/${orderId}/authorization`, order(amount), [204]);
    }
    await this.client.call(paymentId, 'capture', 'POST', `/ordermanagement/v1/orders/${orderId}/captures`, { captured_amount: amount, description: 'Electric vehicle charging' }, [201]);
    return 'captured';
  }

  async release(paymentId: number): Promise<void> {
    const payment = await this.#payment(paymentId);
    if (payment.klarna_order_id) await this.client.call(paymentId, 'cancel', 'POST', `/ordermanagement/v1/orders/${payment.klarna_order_id}/cancel`, undefined, [204]);
  }

  /** Gives back part or all of a captured amount (an admin's decision). */
  async refund(paymentId: number, amount: Ore): Promise<void> {
    const payment = await this.#payment(paymentId);
    if (!payment.klarna_order_id || amount <= 0 || payment.refunded_ore + amount > payment.captured_ore) {
      throw new DomainError('invalid', ['invalidRefund'], 'A refund is at most what was captured and not refunded yet');
    }
    await this.client.call(paymentId, 'refund', 'POST', `/ordermanagement/v1/orders/${payment.klarna_order_id}/refunds`, { refunded_amount: amount, description: 'Refund' }, [201]);
    await this.db.updateTable('payments').set((eb) => ({ refunded_ore: eb('refunded_ore', '+', amount), updated_at: new Date() })).where('id', '=', paymentId).execute();
  }

  #payment(paymentId: number) {
    return this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow();
  }
}
