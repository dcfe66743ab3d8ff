import { describe, expect, it } from 'vitest';
import type { ReservationStatus } from '../../src/db/schema.ts';
import { ACTIVE_RESERVATION_STATUSES, reservationLifecycle } from '../../src/domain/reservationStatus.ts';
import { describeLifecycle } from '../support/lifecycleCases.ts';

describeLifecycle('reservation', {
  lifecycle: reservationLifecycle,
  statuses: { Requested: true, Accepted: true, Rejected: true, Cancelled: true, Expired: true, Used: true } satisfies Record<ReservationStatus, true>,
  events: { requested: true, accepted: true, rejected: true, used: true, cancelled: true, expired: true },
  stories: [
    { story: 'the charger accepts ReserveNow and the session made with it starts', from: null, events: ['requested', 'accepted', 'used'], to: 'Used' },
    { story: 'the charger refuses ReserveNow', from: null, events: ['requested', 'rejected'], to: 'Rejected' },
    { story: 'the user cancels it', from: 'Requested', events: ['accepted', 'cancelled'], to: 'Cancelled' },
    { story: 'the user cancels it before the charger has answered', from: 'Requested', events: ['cancelled'], to: 'Cancelled' },
    { story: 'it runs out', from: 'Requested', events: ['accepted', 'expired'], to: 'Expired' },
    { story: 'it runs out while the charger has not answered', from: 'Requested', events: ['expired'], to: 'Expired' },
    { story: 'a session starts on it before the charger has answered', from: 'Requested', events: ['used'], to: 'Used' },
    { story: 'its session began while it ran out: it was used', from: 'Accepted', events: ['expired', 'used'], to: 'Used' },
    { story: 'its session began while the user cancelled it: it was used', from: 'Accepted', events: ['cancelled', 'used'], to: 'Used' },
  ],
  forbidden: [
    { rule: 'the charger answers ReserveNow once', never: [['Accepted', 'accepted'], ['Rejected', 'accepted'], ['Accepted', 'rejected'], ['Cancelled', 'accepted']] },
    { rule: 'a rejected reservation held nothing: it is not used, cancelled or expired', never: [['Rejected', 'used'], ['Rejected', 'cancelled'], ['Rejected', 'expired']] },
    { rule: 'an ended reservation is not cancelled, nor does it expire', never: [['Used', 'cancelled'], ['Expired', 'cancelled'], ['Cancelled', 'cancelled'], ['Used', 'expired'], ['Cancelled', 'expired'], ['Expired', 'expired']] },
    { rule: 'a reservation is used once, and requested once', never: [['Used', 'used'], ['Requested', 'requested'], [null, 'used']] },
  ],
});

describe('active reservations', () => {
  it('hold their charger until they expire or are cancelled: exactly the statuses those happen in', () => {
    expect([...ACTIVE_RESERVATION_STATUSES].sort()).toEqual(reservationLifecycle.from('expired').sort());
    expect([...ACTIVE_RESERVATION_STATUSES].sort()).toEqual(reservationLifecycle.from('cancelled').sort());
  });
});
