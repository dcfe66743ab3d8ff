import { Type } from '@sinclair/typebox';
import {
  createChargePoint, deleteChargePoint, getChargePoint, listChargePoints, updateChargePoint, type ChargePoint,
} from '../../domain/chargePoints.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, errorResponses, IdParam, LocationTuple } from '../schemas.ts';

const ChargePointJson = Type.Object(
  {
    chargePointID: Type.Integer(),
    name: Type.String(),
    address: Type.String(),
    location: Type.Array(Type.Number(), { description: '[latitude, longitude]' }),
    price: Type.Integer({ description: 'Price per kWh in öre, on top of the hourly electricity tariff' }),
    klarnaReservationAmount: Type.Integer({ description: 'Amount in öre held on the payment method when a charge starts' }),
    sessionFee: Type.Integer({ description: 'Fixed fee in öre per charging session' }),
  },
  { $id: 'ChargePoint' },
);

function chargePointJson(site: ChargePoint) {
  return {
    chargePointID: site.id,
    name: site.name,
    address: site.address,
    location: [site.latitude, site.longitude],
    price: site.price_per_kwh_ore,
    klarnaReservationAmount: site.reservation_amount_ore,
    sessionFee: site.session_fee_ore,
  };
}

const MAX_ORE = 100_000_000;
const fields = {
  name: Type.String({ minLength: 1, maxLength: 100, 'x-error-code': 'invalidName' }),
  address: Type.String({ maxLength: 255, 'x-error-code': 'invalidAddress' }),
  location: LocationTuple('invalidcoordinates'),
  price: Type.Integer({ minimum: 0, maximum: MAX_ORE, 'x-error-code': 'invalidPrice', description: 'öre per kWh' }),
  klarnaReservationAmount: Type.Integer({ minimum: 0, maximum: MAX_ORE, 'x-error-code': 'invalidReservationAmount', description: 'öre' }),
  sessionFee: Type.Integer({ minimum: 0, maximum: MAX_ORE, 'x-error-code': 'invalidPrice', description: 'öre per session' }),
};
const ChargePointId = IdParam('invalidChargePointID', 'chargePointID');
const tags = ['chargePoints'];

export function chargePointRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(ChargePointJson);
    const ChargePointRef = Type.Ref(ChargePointJson);

    app.get('/chargePoints', {
      schema: { tags, summary: 'All charge points (sites)', response: { 200: Type.Array(ChargePointRef) } },
    }, async () => (await listChargePoints(db)).map(chargePointJson));

    app.get('/chargePoints/:id', {
      schema: { tags, summary: 'A charge point', params: ChargePointId, response: { 200: ChargePointRef, ...errorResponses(400, 404) } },
    }, async (request) => chargePointJson(await getChargePoint(db, request.params.id)));

    app.post('/chargePoints', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Add a charge point (admin)', security: bearer,
        body: Type.Object(
          {
            name: fields.name,
            address: Type.Optional(fields.address),
            location: fields.location,
            price: Type.Optional(fields.price),
            klarnaReservationAmount: Type.Optional(fields.klarnaReservationAmount),
            sessionFee: Type.Optional(fields.sessionFee),
          },
          { 'x-error-code': 'invalidInput' },
        ),
        response: { 201: ChargePointRef, ...errorResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const body = request.body;
      const site = await createChargePoint(db, {
        name: body.name,
        address: body.address ?? '',
        location: { latitude: body.location[0], longitude: body.location[1] },
        pricePerKwh: body.price ?? 0,
        reservationAmount: body.klarnaReservationAmount ?? 0,
        sessionFee: body.sessionFee ?? 0,
      });
      return reply.status(201).send(chargePointJson(site));
    });

    app.put('/chargePoints/:id', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Change a charge point (admin); send only the fields to change', security: bearer,
        params: ChargePointId,
        body: Type.Partial(Type.Object(fields), { minProperties: 1, 'x-error-code': 'invalidInput' }),
        response: { 200: ChargePointRef, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request) => {
      const body = request.body;
      const site = await updateChargePoint(db, request.params.id, {
        name: body.name,
        address: body.address,
        location: body.location && { latitude: body.location[0], longitude: body.location[1] },
        pricePerKwh: body.price,
        reservationAmount: body.klarnaReservationAmount,
        sessionFee: body.sessionFee,
      });
      return chargePointJson(site);
    });

    app.delete('/chargePoints/:id', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Remove a charge point and its chargers (admin)', security: bearer,
        params: ChargePointId, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      await deleteChargePoint(db, request.params.id);
      return reply.status(204).send(null);
    });
  };
}
