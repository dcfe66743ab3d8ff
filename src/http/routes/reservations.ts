import { Type } from '@sinclair/typebox';
import {
  ACTIVE_RESERVATION, cancelReservation, getReservation, listReservations, reserveForUser, type Reservation,
} from '../../domain/reservations.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, ChargerIdField, errorResponses, IdParam } from '../schemas.ts';

function reservationJson(row: Reservation, now = new Date()) {
  const lapsed = (ACTIVE_RESERVATION as readonly string[]).includes(row.status) && row.expires_at <= now;
  return {
    reservationID: row.id,
    connectorID: row.charger_id,
    userID: row.user_id === null ? null : String(row.user_id),
    status: lapsed ? 'Expired' : row.status,
    expiresAt: row.expires_at.toISOString(),
    expiryTimestamp: Math.floor(row.expires_at.getTime() / 1000),
  };
}

const ReservationJson = Type.Object({
  reservationID: Type.Integer(),
  connectorID: Type.Integer({ description: 'The charger' }),
  userID: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'Requested, Accepted, Rejected, Cancelled, Expired or Used' }),
  expiresAt: Type.String({ format: 'date-time' }),
  expiryTimestamp: Type.Integer({ description: 'Epoch seconds' }),
}, { $id: 'Reservation' });

const tags = ['reservations'];

/** Reserving a charger ahead of a session (ReserveNow), listing and cancelling reservations. */
export function reservationRoutes({ db, guards, gateway, config }: HttpContext) {
  return async (app: App) => {
    app.addSchema(ReservationJson);
    const Ref = Type.Ref(ReservationJson);
    const Id = IdParam('invalidReservationID', 'reservationID');

    app.post('/reservations', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Reserve a charger for yourself (ReserveNow)', security: bearer,
        body: Type.Object({
          connectorID: ChargerIdField,
          minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, 'x-error-code': 'invalidEndValue', description: `Default ${config.sessions.reservationMinutes}` })),
        }, { 'x-error-code': 'invalidconnectorID' }),
        response: { 201: Ref, ...errorResponses(400, 401, 404, 409, 502, 504) },
      },
    }, async (request, reply) => {
      const reservation = await reserveForUser(db, gateway, request.body.connectorID, request.auth!.userId, request.body.minutes ?? config.sessions.reservationMinutes);
      return reply.status(201).send(reservationJson(reservation));
    });

    app.get('/reservations', {
      onRequest: guards.user,
      schema: { tags, summary: 'Your reservations (all of them for admins)', security: bearer, response: { 200: Type.Array(Ref), ...errorResponses(401) } },
    }, async (request) => (await listReservations(db, request.auth!)).map((row) => reservationJson(row)));

    app.get('/reservations/:id', {
      onRequest: guards.user,
      schema: { tags, summary: 'One reservation', security: bearer, params: Id, response: { 200: Ref, ...errorResponses(400, 401, 404) } },
    }, async (request) => reservationJson(await getReservation(db, request.params.id, request.auth!)));

    app.delete('/reservations/:id', {
      onRequest: guards.user,
      schema: { tags, summary: 'Cancel a reservation (CancelReservation)', security: bearer, params: Id, response: { 200: Ref, ...errorResponses(400, 401, 404, 409) } },
    }, async (request) => reservationJson(await cancelReservation(db, gateway, request.params.id, request.auth!)));
  };
}
