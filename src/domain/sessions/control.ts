import type { Logger } from 'pino';
import type { Db } from '../../db/connection.ts';
import type { ChargerGateway } from '../chargerGateway.ts';
import { getCharger } from '../chargers.ts';
import { connectorFor, perConnector, sessionStatusOf } from '../connectors.ts';
import { DomainError } from '../errors.ts';
import type { Bus } from '../bus.ts';
import { nextEvent } from '../events.ts';
import { paymentOf } from '../payments.ts';
import { currentPricePerKwh } from '../pricing.ts';
import { reservationLifecycle } from '../reservationStatus.ts';
import { activeReservation, advanceReservation, reserveCharger } from '../reservations.ts';
import type { AccessClaims } from '../tokens.ts';
import type { ChargerId, ConnectorId, UserId } from '../units.ts';
import type { SessionSettlement } from './settlement.ts';
import { FINISHED_SESSION_STATUSES, OPEN_SESSION_STATUSES, RUNNING_SESSION_STATUSES, sessionLifecycle } from './status.ts';
import type { SessionView, SessionViews } from './views.ts';

export interface SessionSettings {
  startTimeoutMs: number;
  reservationMinutes: number;
}

/** How long a stop's answer waits, after its own pricing, for the settlement of another node's. */
const SETTLEMENT_WAIT_MS = 10_000;

/** `work`, or a rejection after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms); });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The idTag a session started from the app presents to the charger: its own id, digits only. */
const sessionIdTag = (sessionId: number) => String(sessionId);

/**
 * Charging sessions as the app drives them, in conversation with the charger: create
 * (check and reserve the charger, open the payment), start (RemoteStartTransaction, then
 * wait for the charger's StartTransaction), stop (RemoteStopTransaction, wait for
 * StopTransaction, then settle).
 */
export class SessionControl {
  constructor(
    private readonly db: Db,
    private readonly gateway: ChargerGateway,
    private readonly bus: Bus,
    private readonly settlement: SessionSettlement,
    private readonly views: SessionViews,
    private readonly settings: SessionSettings,
    private readonly logger: Logger,
  ) {}

  /** A session on connector `requestedConnector` of the charger (1 when none is asked for: the FlexiCharge apps send none). */
  async create(chargerId: ChargerId, userId: UserId, paymentType: string, requestedConnector?: ConnectorId): Promise<SessionView> {
    const charger = await getCharger(this.db, chargerId);
    const connectorId = await connectorFor(this.db, chargerId, requestedConnector);
    if (!(await this.gateway.isConnected(chargerId))) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} is offline`);
    const onConnector = perConnector(charger) ? connectorId : undefined;
    const reservation = await activeReservation(this.db, chargerId, onConnector);
    const ownReservation = reservation?.user_id === userId;
    if (reservation && !ownReservation) throw new DomainError('conflict', ['chargerReserved'], `Charger ${chargerId} is reserved by someone else`);
    await this.#refuseIfInUse(chargerId, onConnector, userId);
    // Reserved with no reservation of someone else's: the user's own, or one just cancelled or
    // expired whose StatusNotification Available the charger has not sent yet (only this
    // central system reserves its chargers).
    const status = await sessionStatusOf(this.db, charger, connectorId);
    if (status !== 'Available' && status !== 'Reserved') {
      throw new DomainError('conflict', ['chargerNotAvailable'], `Charger ${chargerId} is ${status}`);
    }

    const session = await this.db
      .insertInto('charging_sessions')
      .values({ charger_id: chargerId, connector_id: connectorId, user_id: userId, status: sessionLifecycle.to('created'), payment_method: this.settlement.method })
      .returning('id')
      .executeTakeFirstOrThrow();
    // On a charger the user reserved, the session presents the reservation's tag (the one the charger holds).
    const idTag = ownReservation ? reservation!.id_tag : sessionIdTag(session.id);
    await this.db.updateTable('charging_sessions').set({ id_tag: idTag }).where('id', '=', session.id).execute();

    try {
      const held = ownReservation
        ? reservation!
        : await reserveCharger(this.db, this.gateway, { chargerId, connectorId, userId, idTag, minutes: this.settings.reservationMinutes });
      await this.db.updateTable('charging_sessions').set({ reservation_id: held.id }).where('id', '=', session.id).execute();
      await this.settlement.open(session.id, charger.charge_point_id);
      this.logger.info({ sessionId: session.id, chargerId, userId, paymentType }, 'session created');
    } catch (error) {
      await this.#fail(session.id, 'reservation or payment failed');
      throw error;
    }
    return this.views.view(session.id);
  }

  async start(sessionId: number, caller: AccessClaims, authorizationToken?: string): Promise<SessionView> {
    const session = await this.views.owned(sessionId, caller);
    if (!sessionLifecycle.next(session.status, 'startRequested')) throw new DomainError('conflict', ['sessionNotStartable'], `Session ${sessionId} is ${session.status}`);
    const dialect = await this.db.selectFrom('chargers').select('dialect').where('id', '=', session.charger_id!).executeTakeFirst();
    await this.#refuseIfInUse(session.charger_id!, dialect && perConnector(dialect) ? (session.connector_id ?? 1) : undefined, session.user_id, sessionId);
    const claimed = await this.db
      .updateTable('charging_sessions')
      .set({ status: sessionLifecycle.to('startRequested'), updated_at: new Date() })
      .where('id', '=', sessionId)
      .where('status', 'in', sessionLifecycle.from('startRequested'))
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) throw new DomainError('conflict', ['sessionNotStartable'], `Session ${sessionId} is already starting`);

    const chargerId = session.charger_id!;
    const payment = await paymentOf(this.db, sessionId);
    const started = nextEvent(this.bus, 'sessionStarted', String(sessionId), (event) => event.sessionId === sessionId, this.settings.startTimeoutMs);
    started.promise.catch(() => undefined);
    try {
      if (payment) await this.settlement.authorize(payment.id, authorizationToken);
      await this.db.updateTable('charging_sessions').set({ price_per_kwh_ore: await currentPricePerKwh(this.db, chargerId) }).where('id', '=', sessionId).execute();
      const answer = await this.gateway.send(chargerId, 'RemoteStartTransaction', { connectorId: session.connector_id ?? 1, idTag: session.id_tag! }, { subsystem: 'sessions', userId: caller.userId });
      if (answer.status !== 'Accepted') throw new DomainError('conflict', ['couldNotStartTransaction'], `Charger ${chargerId} rejected the start`);
      await started.promise.catch(() => {
        throw new DomainError('timeout', ['chargerTimeout'], `Charger ${chargerId} accepted the start but did not begin charging within ${this.settings.startTimeoutMs / 1000} s`);
      });
    } catch (error) {
      started.cancel();
      await this.#fail(sessionId, error instanceof Error ? error.message : 'start failed');
      throw error;
    }
    if (session.reservation_id) await advanceReservation(this.db, session.reservation_id, 'used');
    return this.views.view(sessionId);
  }

  async stop(sessionId: number, caller: AccessClaims): Promise<SessionView> {
    const session = await this.views.owned(sessionId, caller);
    if (FINISHED_SESSION_STATUSES.includes(session.status)) return this.views.view(sessionId);
    // Only a session no start request has claimed yet is cancelled; one that is starting cannot be stopped before its charger begins.
    if (session.status === 'Created') {
      await this.#cancel(sessionId);
      return this.views.view(sessionId);
    }
    if (!RUNNING_SESSION_STATUSES.includes(session.status)) {
      throw new DomainError('conflict', ['sessionNotStoppable'], `Session ${sessionId} is ${session.status}`);
    }
    const stopped = nextEvent(this.bus, 'sessionStopped', String(sessionId), (event) => event.sessionId === sessionId, this.settings.startTimeoutMs);
    stopped.promise.catch(() => undefined);
    // The node that stores the charger's stop prices and settles the session too; when that
    // is another node, its run is the one that counts and this one prices nothing.
    const settled = nextEvent(this.bus, 'sessionSettled', String(sessionId), () => true, this.settings.startTimeoutMs + SETTLEMENT_WAIT_MS);
    settled.promise.catch(() => undefined);
    try {
      const answer = await this.gateway.send(session.charger_id!, 'RemoteStopTransaction', { transactionId: sessionId }, { subsystem: 'sessions', userId: caller.userId });
      if (answer.status !== 'Accepted') throw new DomainError('conflict', ['couldNotStopTransaction'], `Charger ${session.charger_id} rejected the stop`);
      await stopped.promise.catch(() => {
        throw new DomainError('timeout', ['chargerTimeout'], `Charger ${session.charger_id} accepted the stop but has not reported it yet; the session stays open until it does`);
      });
    } catch (error) {
      stopped.cancel();
      settled.cancel();
      throw error;
    }
    await this.settlement.finalize(sessionId);
    // The answer shows the settled payment, whichever node settled it; a node that died while
    // settling leaves the sweep to price it, and this answer shows the session as it is.
    await withDeadline(settled.promise, SETTLEMENT_WAIT_MS).catch(() => undefined);
    settled.cancel();
    return this.views.view(sessionId);
  }

  /**
   * A connector (the charger, when `connectorId` is not given) is in use while another
   * session of ours on it is open, whatever status the charger last reported: the database,
   * not the charger's word, says who charges there.
   */
  async #refuseIfInUse(chargerId: ChargerId, connectorId: ConnectorId | undefined, userId: UserId | null, except?: number): Promise<void> {
    let query = this.db
      .selectFrom('charging_sessions')
      .select('id')
      .where('charger_id', '=', chargerId)
      .where('status', 'in', OPEN_SESSION_STATUSES)
      .where((eb) => (userId === null ? eb('user_id', 'is not', null) : eb.or([eb('user_id', 'is', null), eb('user_id', '<>', userId)])));
    if (connectorId !== undefined) query = query.where('connector_id', '=', connectorId);
    if (except !== undefined) query = query.where('id', '<>', except);
    if (await query.executeTakeFirst()) {
      throw new DomainError('conflict', ['chargerInUse'], `Charger ${chargerId}${connectorId === undefined ? '' : ` (connector ${connectorId})`} is in use by another session`);
    }
  }

  async #fail(sessionId: number, reason: string): Promise<void> {
    await this.#close(sessionId, 'startFailed', reason);
  }

  async #cancel(sessionId: number): Promise<void> {
    await this.#close(sessionId, 'cancelled', 'cancelled before start');
  }

  /** Ends a session that has not begun: its reservation is cancelled (on the charger too) and its payment released. */
  async #close(sessionId: number, event: 'startFailed' | 'cancelled', reason: string): Promise<void> {
    const status = sessionLifecycle.to(event);
    const session = await this.db
      .updateTable('charging_sessions')
      .set({ status, stop_reason: reason, updated_at: new Date() })
      .where('id', '=', sessionId)
      .where('status', 'in', sessionLifecycle.from(event))
      .returning(['reservation_id'])
      .executeTakeFirst();
    if (!session) return;
    if (session.reservation_id) {
      const reservation = await this.db.selectFrom('reservations').select(['charger_id', 'status']).where('id', '=', session.reservation_id).executeTakeFirst();
      if (reservation && reservationLifecycle.next(reservation.status, 'cancelled')) {
        if (await this.gateway.supportsReservations(reservation.charger_id).catch(() => false)) {
          await this.gateway.send(reservation.charger_id, 'CancelReservation', { reservationId: session.reservation_id }, { subsystem: 'sessions' }).catch(() => undefined);
        }
        await advanceReservation(this.db, session.reservation_id, 'cancelled');
      }
    }
    await this.settlement.release(sessionId);
    this.logger.info({ sessionId, status, reason }, 'session closed');
  }
}
