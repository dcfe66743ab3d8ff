import { describe, expect, it } from 'vitest';
import type { PaymentStatus } from '../../src/db/schema.ts';
import { paymentLifecycle, SETTLED_PAYMENT_STATUSES, type PaymentEvent } from '../../src/domain/paymentStatus.ts';
import { describeLifecycle, type Story } from '../support/lifecycleCases.ts';

/** What each way a settlement can end leaves the payment in. */
const OUTCOMES = { captured: 'Captured', invoiced: 'Invoiced', nothingOwed: 'NothingOwed', settlementFailed: 'SettlementFailed' } as const;

/** Settling ends one of four ways, whatever came before it. */
const settled = (story: string, from: PaymentStatus | null, before: PaymentEvent[]): Story<PaymentStatus, PaymentEvent>[] =>
  Object.entries(OUTCOMES).map(([outcome, to]) => ({ story: `${story}: ${outcome}`, from, events: [...before, outcome as PaymentEvent], to }));

describeLifecycle('payment', {
  lifecycle: paymentLifecycle,
  statuses: { Open: true, Authorized: true, Released: true, Captured: true, Invoiced: true, NothingOwed: true, SettlementFailed: true } satisfies Record<PaymentStatus, true>,
  events: { opened: true, authorized: true, released: true, captured: true, invoiced: true, nothingOwed: true, settlementFailed: true },
  stories: [
    ...settled('the app\'s session: its hold is authorized at the start and settled at the final price', null, ['opened', 'authorized']),
    ...settled('a session started at the charger holds nothing and is settled at its price', null, ['opened']),
    ...settled('an app session that failed, which its charger began after all, is settled', null, ['opened', 'authorized', 'released']),
    ...settled('a session the charger\'s real stop reprices after a close is settled again (it was invoiced)', 'Invoiced', []),
    ...settled('the same, when it owed nothing', 'NothingOwed', []),
    ...settled('the same, when its settlement failed', 'SettlementFailed', []),
    { story: 'a session that fails before its start gives its hold back', from: null, events: ['opened', 'released'], to: 'Released' },
    { story: 'a start that fails after the authorization gives the hold back', from: 'Open', events: ['authorized', 'released'], to: 'Released' },
  ],
  forbidden: [
    {
      rule: 'captured money is only refunded',
      never: [['Captured', 'captured'], ['Captured', 'invoiced'], ['Captured', 'nothingOwed'], ['Captured', 'settlementFailed'], ['Captured', 'released'], ['Captured', 'authorized']],
    },
    { rule: 'a payment is opened once', never: [['Open', 'opened'], ['Invoiced', 'opened']] },
    { rule: 'only an open hold is authorized', never: [['Authorized', 'authorized'], ['Released', 'authorized'], ['Invoiced', 'authorized']] },
    { rule: 'a settled or released payment is not released', never: [['Invoiced', 'released'], ['NothingOwed', 'released'], ['SettlementFailed', 'released'], ['Released', 'released']] },
    { rule: 'a payment that does not exist is only opened', never: [[null, 'authorized'], [null, 'captured'], [null, 'released']] },
  ],
});

describe('settled payments', () => {
  it('are those whose settlement did not fail: the 2022 apps show them as confirmed', () => {
    expect([...SETTLED_PAYMENT_STATUSES].sort()).toEqual([OUTCOMES.captured, OUTCOMES.invoiced, OUTCOMES.nothingOwed].sort());
  });
});
