import type { ReservationStatus } from '../db/schema.ts';
import { Lifecycle } from './lifecycle.ts';

/** It holds its charger: asked of the charger, or accepted. */
export const ACTIVE_RESERVATION_STATUSES: readonly ReservationStatus[] = ['Requested', 'Accepted'];

/** What happens to a reservation. */
export type ReservationEvent = 'requested' | 'accepted' | 'rejected' | 'used' | 'cancelled' | 'expired';

/**
 * A reservation's lifecycle (reservations.status). Only the expiry is guarded in SQL (it
 * runs on every node); the other writes follow the request or session that makes them.
 */
export const reservationLifecycle = new Lifecycle<ReservationStatus, ReservationEvent>({
  /** Stored before ReserveNow is sent. */
  requested: { from: [null], to: 'Requested' },
  /** The charger accepted ReserveNow, or does not do reservations (then it holds on the server only). */
  accepted: { from: ['Requested'], to: 'Accepted' },
  /** The charger refused ReserveNow, or it could not be sent. */
  rejected: { from: ['Requested'], to: 'Rejected' },
  /**
   * Its session began at the charger. It may have run out or been cancelled while the start
   * was under way: the charge happened, so the reservation was used.
   */
  used: { from: [...ACTIVE_RESERVATION_STATUSES, 'Expired', 'Cancelled'], to: 'Used' },
  /** The user cancels it, or the session made with it ended before it began. */
  cancelled: { from: ACTIVE_RESERVATION_STATUSES, to: 'Cancelled' },
  /** Its time ran out (the charger lets it go by itself). */
  expired: { from: ACTIVE_RESERVATION_STATUSES, to: 'Expired' },
});
