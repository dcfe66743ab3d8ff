import type { SessionStatus } from '../../db/schema.ts';
import { Lifecycle } from '../lifecycle.ts';

/** The app's session before its charger began it. */
export const NOT_BEGUN_SESSION_STATUSES: readonly SessionStatus[] = ['Created', 'Starting'];
/** Its charger runs a transaction for it; Stopping: one whose card was refused, kept until the charger stops it. */
export const RUNNING_SESSION_STATUSES: readonly SessionStatus[] = ['Charging', 'Stopping'];
/** Its charger may still report on it (its start, its stop): a StopTransaction, or the central system, completes it. */
export const OPEN_SESSION_STATUSES: readonly SessionStatus[] = ['Starting', ...RUNNING_SESSION_STATUSES];
/** Ended, as far as the app is concerned: a stop request answers with the session as it is. */
export const FINISHED_SESSION_STATUSES: readonly SessionStatus[] = ['Completed', 'Failed', 'Cancelled'];
/** No charger has reported on it: the app created it and, if it ended, it ended before its charger began it. */
export const APP_ONLY_SESSION_STATUSES: readonly SessionStatus[] = ['Created', 'Failed', 'Cancelled'];

/** What happens to a charging session: the app's requests and the charger's reports. */
export type SessionEvent =
  | 'created' | 'startRequested' | 'startFailed' | 'cancelled'
  | 'chargerStarted' | 'chargerStartRefused' | 'chargerStopped' | 'closed';

/** Where the charger's StartTransaction finds a session: none yet, or the app's that asked for it. */
const STARTABLE_BY_CHARGER: readonly (SessionStatus | null)[] = [null, 'Starting', 'Failed', 'Cancelled'];

/** A charging session's lifecycle (charging_sessions.status). */
export const sessionLifecycle = new Lifecycle<SessionStatus, SessionEvent>({
  /** The app creates a session: the charger is reserved, the payment opened. */
  created: { from: [null], to: 'Created' },
  /** The app starts it: the one request that claims it sends RemoteStartTransaction. */
  startRequested: { from: ['Created'], to: 'Starting' },
  /** The charger refused the start or did not begin in time, or the reservation or payment failed. */
  startFailed: { from: NOT_BEGUN_SESSION_STATUSES, to: 'Failed' },
  /** The user stopped it before it began (Starting: a stop that raced the start request). */
  cancelled: { from: NOT_BEGUN_SESSION_STATUSES, to: 'Cancelled' },
  /**
   * The charger's StartTransaction with an accepted card: a session of its own, or the app's
   * that waits for it — also when the app gave up on it meanwhile (Failed, Cancelled): the
   * charger's report is the fact, the car is charging.
   */
  chargerStarted: { from: STARTABLE_BY_CHARGER, to: 'Charging' },
  /** The same with a refused card: recorded, and open until the charger stops it. */
  chargerStartRefused: { from: STARTABLE_BY_CHARGER, to: 'Stopping' },
  /**
   * The charger's StopTransaction completes an open session; a stop of no known session
   * becomes a session of its own; and a session the central system closed (Completed) takes
   * the charger's real stop instead, once, unless it is invoiced or its payment captured.
   */
  chargerStopped: { from: [null, ...OPEN_SESSION_STATUSES, 'Completed'], to: 'Completed' },
  /** The central system ends an open session that cannot be running any more (see sweeper.ts), without its StopTransaction. */
  closed: { from: OPEN_SESSION_STATUSES, to: 'Completed' },
});
