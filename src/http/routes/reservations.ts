import { Type } from '@sinclair/typebox';
import { cancelReservation, getReservation, listReservations, reserveForUser, type Reservation } from '../../domain/reservations.ts';
import { reservationLifecycle } from '../../domain/reservationStatus.ts';
import type { App, HttpContext } from '../context.ts';
import { DEMO_CHARGER_ID } from '../examples.ts';
import { json, operation, TAG } from '../openapi.ts';
import { ChargerIdField, IdParam, OcppConnectorField } from '../schemas.ts';

function reservationJson(row: Reservation, now = new Date()) {
  // One past its time shows as the next expiry sweep will store it.
  const lapsed = row.expires_at <= now ? reservationLifecycle.next(row.status, 'expired') : undefined;
  return {
    reservationID: row.id,
    connectorID: row.charger_id,
    ocppConnectorId: row.connector_id,
    userID: row.user_id === null ? null : String(row.user_id),
    status: lapsed ?? row.status,
    expiresAt: row.expires_at.toISOString(),
    expiryTimestamp: Math.floor(row.expires_at.getTime() / 1000),
  };
}

const ReservationJson = Type.Object({
  reservationID: Type.Integer(),
  connectorID: Type.Integer({ description: 'The charger' }),
  ocppConnectorId: Type.Integer({ description: 'The charger\'s OCPP connector reserved' }),
  userID: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'Requested, Accepted, Rejected, Cancelled, Expired or Used' }),
  expiresAt: Type.String({ format: 'date-time' }),
  expiryTimestamp: Type.Integer({ description: 'Epoch seconds' }),
}, { $id: 'Reservation', description: 'A reservation of a charger' });

const tag = TAG.reservations;
const example = {
  reservationID: 17, connectorID: DEMO_CHARGER_ID, ocppConnectorId: 1, userID: '2', status: 'Accepted', expiresAt: '2025-06-02T08:30:00.000Z', expiryTimestamp: 1748853000,
};
const own = 'Signed-in users for their own reservations; admins for any (someone else\'s is answered 404).';
const badId = '`id` is not a reservationID (an integer)';
const unknownReservation = 'No such reservation, or not the caller\'s';

/** Reserving a charger ahead of a session (ReserveNow), listing and cancelling reservations. */
export function reservationRoutes({ db, guards, gateway, config }: HttpContext) {
  return async (app: App) => {
    app.addSchema(ReservationJson);
    const Ref = Type.Ref(ReservationJson);
    const Id = IdParam('invalidReservationID', 'reservationID', 17);

    app.post('/reservations', {
      onRequest: guards.user,
      schema: operation({
        id: 'createReservation', tag, access: 'user', summary: 'Reserve a charger for yourself',
        description: 'Holds an Available, online charger for you (OCPP ReserveNow) for `minutes`; a session you create on it '
          + 'within that time uses the reservation. On a charger with several connectors, `ocppConnectorId` picks the one to hold '
          + '(default 1); the others stay free for other users.',
        errors: {
          400: 'Invalid connectorID, ocppConnectorId or minutes (`invalidconnectorID`, `invalidOcppConnectorId`, `invalidEndValue`)',
          404: 'No charger has this connectorID, or it has no such connector (`connectorNotFound`)',
          409: 'The charger is offline (`chargerOffline`), reserved (`chargerReserved`), not Available (`chargerNotAvailable`) '
            + 'or refused (`couldNotReserveCharger`)',
          502: 'The charger answered ReserveNow with an error',
          504: 'The charger did not answer in time',
        },
      }, {
        body: Type.Object({
          connectorID: ChargerIdField,
          ocppConnectorId: Type.Optional(OcppConnectorField),
          minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, 'x-error-code': 'invalidEndValue', description: `Default ${config.sessions.reservationMinutes}` })),
        }, { 'x-error-code': 'invalidconnectorID', examples: [{ connectorID: DEMO_CHARGER_ID, minutes: 15 }] }),
        response: { 201: json('Reserved', Ref, example) },
      }),
    }, async (request, reply) => {
      const reservation = await reserveForUser(db, gateway, request.body.connectorID, request.auth!.userId, request.body.minutes ?? config.sessions.reservationMinutes, request.body.ocppConnectorId);
      return reply.status(201).send(reservationJson(reservation));
    });

    app.get('/reservations', {
      onRequest: guards.user,
      schema: operation({
        id: 'listReservations', tag, access: 'user', summary: 'Your reservations',
        description: 'Reservations, newest first; a lapsed one shows as `Expired`.',
        who: 'Signed-in users (their own reservations) and admins (all of them).',
      }, {
        response: { 200: json('The reservations; `[]` when there are none', Type.Array(Ref), [example]) },
      }),
    }, async (request) => (await listReservations(db, request.auth!)).map((row) => reservationJson(row)));

    app.get('/reservations/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'getReservation', tag, access: 'user', who: own, summary: 'One reservation',
        description: 'The reservation; a lapsed one shows as `Expired`.',
        errors: { 400: badId, 404: unknownReservation },
      }, {
        params: Id,
        response: { 200: json('The reservation', Ref, example) },
      }),
    }, async (request) => reservationJson(await getReservation(db, request.params.id, request.auth!)));

    app.delete('/reservations/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'cancelReservation', tag, access: 'user', who: own, summary: 'Cancel a reservation',
        description: 'Cancels the reservation on the server and, when the charger is online, on the charger (CancelReservation, best effort).',
        errors: { 400: badId, 404: unknownReservation, 409: 'The reservation is no longer active (`reservationNotActive`)' },
      }, {
        params: Id,
        response: { 200: json('Cancelled', Ref, { ...example, status: 'Cancelled' }) },
      }),
    }, async (request) => reservationJson(await cancelReservation(db, gateway, request.params.id, request.auth!)));
  };
}
