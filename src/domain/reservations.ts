import { randomInt } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { ReservationsTable } from '../db/schema.ts';
import type { ChargerGateway } from './chargerGateway.ts';
import { connectorFor, perConnector, sessionStatusOf } from './connectors.ts';
import { DomainError, notFound } from './errors.ts';
import { ACTIVE_RESERVATION_STATUSES, reservationLifecycle, type ReservationEvent } from './reservationStatus.ts';
import type { AccessClaims } from './tokens.ts';
import type { ChargerId, ConnectorId, UserId } from './units.ts';

export type Reservation = Selectable<ReservationsTable>;

export interface ReservationRequest {
  chargerId: ChargerId;
  connectorId: ConnectorId;
  userId: UserId;
  idTag: string;
  minutes: number;
}

/** Answers a charger gives to ReserveNow that mean "it cannot be reserved now". */
const REFUSALS = new Set(['Occupied', 'Faulted', 'Unavailable', 'Rejected']);

/**
 * Reserves a connector of a charger: stored first, then sent as ReserveNow when the
 * charger supports it. A charger that refuses gets a 409; one that does not implement
 * reservations (NotImplemented / NotSupported) is reserved on the server only.
 */
export async function reserveCharger(db: Db, gateway: ChargerGateway, request: ReservationRequest) {
  const expiresAt = new Date(Date.now() + request.minutes * 60_000);
  const reservation = await db
    .insertInto('reservations')
    .values({
      charger_id: request.chargerId, connector_id: request.connectorId, user_id: request.userId, id_tag: request.idTag, expires_at: expiresAt,
      status: reservationLifecycle.to('requested'),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  let answer: 'accepted' | 'rejected' = 'accepted';
  if (await gateway.supportsReservations(request.chargerId)) {
    try {
      const reply = await gateway.send(request.chargerId, 'ReserveNow', {
        connectorId: request.connectorId, expiryDate: expiresAt.toISOString(), idTag: request.idTag, reservationId: reservation.id,
      }, { subsystem: 'reservations', userId: request.userId });
      if (REFUSALS.has(reply.status)) answer = 'rejected';
    } catch (error) {
      const unsupported = error instanceof DomainError && (error.codes.includes('NotImplemented') || error.codes.includes('NotSupported'));
      if (!unsupported) {
        await advanceReservation(db, reservation.id, 'rejected');
        throw error;
      }
    }
  }
  await advanceReservation(db, reservation.id, answer);
  if (answer === 'rejected') throw new DomainError('conflict', ['couldNotReserveCharger'], `Charger ${request.chargerId} refused the reservation`);
  return { ...reservation, status: reservationLifecycle.to(answer) };
}

/** A reservation takes the status `event` leads to (see reservationStatus.ts). */
export async function advanceReservation(db: Db, id: number, event: ReservationEvent): Promise<void> {
  await db.updateTable('reservations').set({ status: reservationLifecycle.to(event), updated_at: new Date() }).where('id', '=', id).execute();
}

/**
 * A reservation made on its own (not by creating a session): checks the charger's
 * connector (1 unless another is asked for) like a session would and holds it under a
 * fresh numeric idTag, which the user's session on that connector then presents.
 */
export async function reserveForUser(db: Db, gateway: ChargerGateway, chargerId: ChargerId, userId: UserId, minutes: number, requestedConnector?: ConnectorId) {
  const charger = await db.selectFrom('chargers').select(['id', 'status', 'charge_point_id', 'dialect']).where('id', '=', chargerId).executeTakeFirst();
  if (!charger || charger.charge_point_id === null) throw notFound(`Charger ${chargerId}`);
  const connectorId = await connectorFor(db, chargerId, requestedConnector);
  if (!(await gateway.isConnected(chargerId))) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} is offline`);
  if (await activeReservation(db, chargerId, perConnector(charger) ? connectorId : undefined)) {
    throw new DomainError('conflict', ['chargerReserved'], `Charger ${chargerId} is already reserved`);
  }
  const status = await sessionStatusOf(db, charger, connectorId);
  if (status !== 'Available') throw new DomainError('conflict', ['chargerNotAvailable'], `Charger ${chargerId} is ${status}`);
  return reserveCharger(db, gateway, { chargerId, connectorId, userId, idTag: String(randomInt(100_000_000, 1_000_000_000)), minutes });
}

/** The reservation holding a charger now (one of its connector `connectorId`, when given), if any. */
export function activeReservation(db: Db, chargerId: ChargerId, connectorId?: ConnectorId) {
  let query = db
    .selectFrom('reservations')
    .selectAll()
    .where('charger_id', '=', chargerId);
  if (connectorId !== undefined) query = query.where('connector_id', '=', connectorId);
  return query
    .where('status', 'in', ACTIVE_RESERVATION_STATUSES)
    .where('expires_at', '>', new Date())
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function getReservation(db: Db, id: number, caller: AccessClaims) {
  const row = await db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || (caller.role !== 'admin' && row.user_id !== caller.userId)) throw notFound(`Reservation ${id}`);
  return row;
}

export function listReservations(db: Db, caller: AccessClaims) {
  let query = db.selectFrom('reservations').selectAll().orderBy('id', 'desc');
  if (caller.role !== 'admin') query = query.where('user_id', '=', caller.userId);
  return query.execute();
}

/** Cancels on the charger (CancelReservation, best effort) and on the server. */
export async function cancelReservation(db: Db, gateway: ChargerGateway, id: number, caller: AccessClaims) {
  const reservation = await getReservation(db, id, caller);
  const status = reservationLifecycle.next(reservation.status, 'cancelled');
  if (!status) throw new DomainError('conflict', ['reservationNotActive'], `Reservation ${id} is ${reservation.status}`);
  if (await gateway.supportsReservations(reservation.charger_id).catch(() => false)) {
    await gateway.send(reservation.charger_id, 'CancelReservation', { reservationId: id }, { subsystem: 'reservations', userId: caller.userId }).catch(() => undefined);
  }
  await advanceReservation(db, id, 'cancelled');
  return { ...reservation, status };
}

/** Marks reservations past their expiry as Expired (the charger lets them go by itself). */
export async function expireReservations(db: Db, now = new Date()): Promise<number> {
  const result = await db
    .updateTable('reservations')
    .set({ status: reservationLifecycle.to('expired'), updated_at: now })
    .where('status', 'in', reservationLifecycle.from('expired'))
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
