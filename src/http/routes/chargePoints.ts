import { Type } from '@sinclair/typebox';
import {
  createChargePoint, deleteChargePoint, getChargePoint, listChargePoints, updateChargePoint, type ChargePoint,
} from '../../domain/chargePoints.ts';
import type { App, HttpContext } from '../context.ts';
import { seedChargePoint } from '../examples.ts';
import { json, noContent, operation, TAG } from '../openapi.ts';
import { LocationTuple } from '../schemas.ts';
import { badSiteId, ChargePointId, unknownSite } from './chargePointShapes.ts';

const ChargePointJson = Type.Object(
  {
    chargePointID: Type.Integer(),
    name: Type.String(),
    address: Type.String({ description: 'Street address; may be empty' }),
    location: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[latitude, longitude]' }),
    price: Type.Integer({ description: 'Price per kWh in öre, on top of the hourly electricity tariff' }),
    klarnaReservationAmount: Type.Integer({ description: 'Amount in öre held on the payment method when a charge starts' }),
    sessionFee: Type.Integer({ description: 'Fixed fee in öre per charging session' }),
  },
  { $id: 'ChargePoint', description: 'A charge point (site) with its prices' },
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
const tag = TAG.chargePoints;

const jonkopingUniversity = seedChargePoint(2);
const newSite = { name: 'Västra Torget, Jönköping', address: 'Västra Storgatan 10', location: [57.7815, 14.1562], price: 349, klarnaReservationAmount: 30000 };
const invalidField = 'Invalid field (`invalidName`, `invalidAddress`, `invalidcoordinates`, `invalidLatitude`, `invalidLongitude`, `invalidPrice`, '
  + '`invalidReservationAmount`) or a name in use (`dbUniqueConstraintError`)';

export function chargePointRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(ChargePointJson);
    const ChargePointRef = Type.Ref(ChargePointJson);

    app.get('/chargePoints', {
      schema: operation({
        id: 'listChargePoints', tag, access: 'public', summary: 'All charge points (sites)',
        description: 'Every charge point with its address, location and prices (öre).',
      }, {
        response: { 200: json('The charge points, by chargePointID; `[]` when there are none', Type.Array(ChargePointRef), [seedChargePoint(1), jonkopingUniversity]) },
      }),
    }, async () => (await listChargePoints(db)).map(chargePointJson));

    app.get('/chargePoints/:id', {
      schema: operation({
        id: 'getChargePoint', tag, access: 'public', summary: 'A charge point',
        description: 'The charge point with this chargePointID.',
        errors: { 400: badSiteId, 404: unknownSite },
      }, {
        params: ChargePointId,
        response: { 200: json('The charge point', ChargePointRef, jonkopingUniversity) },
      }),
    }, async (request) => chargePointJson(await getChargePoint(db, request.params.id)));

    app.post('/chargePoints', {
      onRequest: guards.admin,
      schema: operation({
        id: 'createChargePoint', tag, access: 'admin', summary: 'Add a charge point',
        description: 'Adds a site. `address` defaults to `""`; `price`, `klarnaReservationAmount` and `sessionFee` (öre) to 0.',
        errors: { 400: invalidField },
      }, {
        body: Type.Object(
          {
            name: fields.name,
            address: Type.Optional(fields.address),
            location: fields.location,
            price: Type.Optional(fields.price),
            klarnaReservationAmount: Type.Optional(fields.klarnaReservationAmount),
            sessionFee: Type.Optional(fields.sessionFee),
          },
          { 'x-error-code': 'invalidInput', examples: [newSite] },
        ),
        response: { 201: json('The charge point, created', ChargePointRef, { chargePointID: 5, ...newSite, sessionFee: 0 }) },
      }),
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
      schema: operation({
        id: 'updateChargePoint', tag, access: 'admin', summary: 'Change a charge point',
        description: 'Changes any of the fields of `POST /chargePoints`; send only the fields to change.',
        errors: { 400: `${invalidField}, or no field at all`, 404: unknownSite },
      }, {
        params: ChargePointId,
        body: Type.Partial(Type.Object(fields), { minProperties: 1, 'x-error-code': 'invalidInput', examples: [{ price: 359 }] }),
        response: { 200: json('The charge point, changed', ChargePointRef, { ...jonkopingUniversity, price: 359 }) },
      }),
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
      schema: operation({
        id: 'deleteChargePoint', tag, access: 'admin', summary: 'Remove a charge point and its chargers',
        description: 'Removes the site and the chargers at it; their charging sessions are kept.',
        errors: { 400: badSiteId, 404: unknownSite },
      }, {
        params: ChargePointId,
        response: { 204: noContent('Removed') },
      }),
    }, async (request, reply) => {
      await deleteChargePoint(db, request.params.id);
      return reply.status(204).send(null);
    });
  };
}
