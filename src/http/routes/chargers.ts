import { Type } from '@sinclair/typebox';
import {
  createCharger, deleteCharger, getCharger, getChargerBySerial, listChargers, listUnplacedChargers, updateCharger, type Charger,
} from '../../domain/chargers.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, ChargerStatusSchema, errorResponses, IdParam, LocationTuple } from '../schemas.ts';

const ChargerJson = Type.Object(
  {
    connectorID: Type.Integer({ description: 'The charger id (100000 and up); shown as QR code on the charger' }),
    serialNumber: Type.String(),
    chargePointID: Type.Integer(),
    location: Type.Array(Type.Number(), { description: '[latitude, longitude]' }),
    status: Type.String({ description: 'OCPP ChargePointStatus; "Available" means a charge can start' }),
    online: Type.Boolean({ description: 'Whether the charger is connected right now' }),
    lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Charger' },
);

export function chargerJson(charger: Charger) {
  return {
    connectorID: charger.id,
    serialNumber: charger.serial_number,
    chargePointID: charger.charge_point_id,
    location: [charger.latitude, charger.longitude],
    status: charger.status,
    online: charger.online,
    lastSeen: charger.last_seen_at?.toISOString() ?? null,
  };
}

const SerialNumber = Type.String({ minLength: 1, maxLength: 36, 'x-error-code': 'invalidSerialNumber' });
const ChargePointID = Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidChargePointID' });
const ChargerId = IdParam('invalidconnectorID', 'connectorID of the charger');
const tags = ['chargers'];

export function chargerRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(ChargerJson);
    const ChargerRef = Type.Ref(ChargerJson);

    app.get('/chargers', {
      schema: { tags, summary: 'All chargers', response: { 200: Type.Array(ChargerRef) } },
    }, async () => (await listChargers(db)).map(chargerJson));

    app.get('/chargers/available', {
      schema: { tags, summary: 'Chargers whose status is Available', response: { 200: Type.Array(ChargerRef) } },
    }, async () => (await listChargers(db, { status: 'Available' })).map(chargerJson));

    app.get('/chargers/pending', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Chargers that registered themselves and await a charge point and acceptance (admin)', security: bearer,
        response: {
          200: Type.Array(Type.Object({
            connectorID: Type.Integer(), serialNumber: Type.String(), registrationStatus: Type.String(),
            vendor: Type.Union([Type.String(), Type.Null()]), model: Type.Union([Type.String(), Type.Null()]),
            online: Type.Boolean(), lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          })),
          ...errorResponses(401, 403),
        },
      },
    }, async () => (await listUnplacedChargers(db)).map((charger) => ({
      connectorID: charger.id,
      serialNumber: charger.serial_number,
      registrationStatus: charger.registration_status,
      vendor: charger.vendor,
      model: charger.model,
      online: charger.online,
      lastSeen: charger.last_seen_at?.toISOString() ?? null,
    })));

    app.get('/chargers/serial/:serialNumber', {
      schema: {
        tags, summary: 'A charger by its serial number',
        params: Type.Object({ serialNumber: SerialNumber }),
        response: { 200: ChargerRef, ...errorResponses(400, 404) },
      },
    }, async (request) => chargerJson(await getChargerBySerial(db, request.params.serialNumber)));

    app.get('/chargers/:id', {
      schema: { tags, summary: 'A charger by connectorID', params: ChargerId, response: { 200: ChargerRef, ...errorResponses(400, 404) } },
    }, async (request) => chargerJson(await getCharger(db, request.params.id)));

    app.post('/chargers', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Add a charger (admin)', security: bearer,
        body: Type.Object(
          { chargePointID: ChargePointID, location: LocationTuple('invalidCoordinates'), serialNumber: SerialNumber },
          { 'x-error-code': 'invalidInput' },
        ),
        response: { 201: ChargerRef, ...errorResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const { chargePointID, location, serialNumber } = request.body;
      const charger = await createCharger(db, {
        serialNumber, chargePointId: chargePointID, location: { latitude: location[0], longitude: location[1] },
      });
      return reply.status(201).send(chargerJson(charger));
    });

    app.put('/chargers/:id', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Change a charger: status, serial number, charge point, location, OCPP password or registration (admin)', security: bearer,
        params: ChargerId,
        body: Type.Object(
          {
            status: Type.Optional(ChargerStatusSchema),
            serialNumber: Type.Optional(SerialNumber),
            chargePointID: Type.Optional(ChargePointID),
            location: Type.Optional(LocationTuple('invalidCoordinates')),
            password: Type.Optional(Type.Union([
              Type.String({ minLength: 16, maxLength: 40, 'x-error-code': 'invalidPassword', description: 'OCPP Basic Auth password (security profile 1), 16–40 characters' }),
              Type.Null(),
            ], { 'x-error-code': 'invalidPassword' })),
            registrationStatus: Type.Optional(Type.Unsafe<'Accepted' | 'Pending' | 'Rejected'>({
              type: 'string', enum: ['Accepted', 'Pending', 'Rejected'], 'x-error-code': 'invalidRegistrationStatus',
              description: 'Answer to the charger\'s BootNotification',
            })),
          },
          { minProperties: 1, 'x-error-code': 'invalidStatus' },
        ),
        response: { 200: ChargerRef, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request) => {
      const { status, serialNumber, chargePointID, location, password, registrationStatus } = request.body;
      const charger = await updateCharger(db, request.params.id, {
        status,
        serialNumber,
        chargePointId: chargePointID,
        location: location && { latitude: location[0], longitude: location[1] },
        password,
        registrationStatus,
      });
      return chargerJson(charger);
    });

    app.delete('/chargers/:id', {
      onRequest: guards.admin,
      schema: { tags, summary: 'Remove a charger (admin)', security: bearer, params: ChargerId, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (request, reply) => {
      await deleteCharger(db, request.params.id);
      return reply.status(204).send(null);
    });
  };
}
