import { Type } from '@sinclair/typebox';
import { REGISTRATION_STATUSES, type RegistrationStatus } from '../../db/schema.ts';
import {
  createCharger, deleteCharger, getCharger, getChargerBySerial, listChargers, listUnplacedChargers, updateCharger, type Charger,
} from '../../domain/chargers.ts';
import { changeStatus } from '../../domain/availability.ts';
import { listSecurityEvents } from '../../domain/securityEvents.ts';
import { rotateChargerPassword } from '../../domain/chargerPasswords.ts';
import type { App, HttpContext } from '../context.ts';
import { seedCharger, seedChargePoint } from '../examples.ts';
import { json, noContent, operation, TAG } from '../openapi.ts';
import { ChargerStatusSchema, IdParam, LocationTuple } from '../schemas.ts';

const ChargerJson = Type.Object(
  {
    connectorID: Type.Integer({ description: 'The charger id (100000 and up); shown as QR code on the charger' }),
    serialNumber: Type.String(),
    chargePointID: Type.Integer(),
    location: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[latitude, longitude]' }),
    status: Type.String({ description: 'OCPP ChargePointStatus; "Available" means a charge can start' }),
    online: Type.Boolean({ description: 'Whether the charger is connected right now' }),
    lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the charger last sent anything' }),
  },
  { $id: 'Charger', description: 'A charger as the apps read it' },
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

/** A serial number is the charger's OCPP identity: no `:` or control characters, which the OCPP server refuses in one. */
const SerialNumber = Type.String({
  minLength: 1, maxLength: 36, pattern: '^[^:\\u0000-\\u001f\\u007f-\\u009f]+$',
  'x-error-code': 'invalidSerialNumber', description: 'The charger\'s serial number (its OCPP identity): 1–36 characters, no `:` or control characters',
});
const ChargePointID = Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidChargePointID', description: 'The charge point (site) the charger stands at' });
const ChargerId = IdParam('invalidconnectorID', 'connectorID of the charger', 100000);
const tag = TAG.chargers;

const SecurityEventJson = Type.Object({
  id: Type.Integer({ description: 'Pass as `before` to read the page after this one' }),
  kind: Type.Union([Type.Literal('security'), Type.Literal('log'), Type.Literal('firmware')], {
    description: '`security`: a SecurityEventNotification; `log`: a LogStatusNotification; `firmware`: a SignedFirmwareStatusNotification',
  }),
  type: Type.String({ description: 'The security event\'s type, or the status reported' }),
  techInfo: Type.Union([Type.String(), Type.Null()]),
  critical: Type.Boolean({ description: 'A security event the Security Whitepaper marks critical' }),
  requestId: Type.Union([Type.Integer(), Type.Null()], { description: 'The GetLog or SignedUpdateFirmware a status is about' }),
  timestamp: Type.String({ format: 'date-time', description: 'When the charger says it happened' }),
  receivedAt: Type.String({ format: 'date-time' }),
}, { description: 'What a charger reported under the OCPP 1.6 Security Whitepaper' });

const jonkopingUniversity = seedChargePoint(2);
const demoCharger = seedCharger(100000);
const pendingCharger = {
  connectorID: 100010, serialNumber: 'EVB-P1234567', registrationStatus: 'Pending', vendor: 'Elecq', model: 'AU101',
  online: true, lastSeen: '2025-06-02T08:15:00.000Z',
};

export function chargerRoutes({ db, guards, gateway }: HttpContext) {
  return async (app: App) => {
    app.addSchema(ChargerJson);
    const ChargerRef = Type.Ref(ChargerJson);
    const badId = { description: '`id` is not a connectorID (an integer)', codes: ['invalidconnectorID', 'invalidDataType'], message: 'params/id must be integer' };
    const unknownCharger = 'No charger has this connectorID';

    app.get('/chargers', {
      schema: operation({
        id: 'listChargers', tag, access: 'public', summary: 'All chargers',
        description: 'Every charger placed at a charge point, with its location, status and whether it is online. '
          + 'Chargers that registered themselves and wait for an admin are left out (see `GET /chargers/pending`).',
      }, {
        response: { 200: json('The chargers, by connectorID; `[]` when there are none', Type.Array(ChargerRef), [demoCharger, seedCharger(100001)]) },
      }),
    }, async () => (await listChargers(db)).map(chargerJson));

    app.get('/chargers/available', {
      schema: operation({
        id: 'listAvailableChargers', tag, access: 'public', summary: 'Chargers whose status is Available',
        description: 'The chargers a charge can start on now: status `Available`.',
      }, {
        response: { 200: json('The available chargers; `[]` when there are none', Type.Array(ChargerRef), [demoCharger]) },
      }),
    }, async () => (await listChargers(db, { status: 'Available' })).map(chargerJson));

    app.get('/chargers/pending', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listPendingChargers', tag, access: 'admin', summary: 'Chargers that registered themselves and wait to be placed',
        description: 'With `OCPP_AUTO_REGISTER=1`, an unknown charger that connects is registered as Pending without a charge point. '
          + 'Place and accept one with `PUT /chargers/{id}` `{"registrationStatus": "Accepted", "chargePointID": …}`.',
      }, {
        response: {
          200: json('The self-registered chargers; `[]` when there are none', Type.Array(Type.Object({
            connectorID: Type.Integer(), serialNumber: Type.String(), registrationStatus: Type.String({ description: 'Pending or Rejected' }),
            vendor: Type.Union([Type.String(), Type.Null()], { description: 'From its BootNotification' }),
            model: Type.Union([Type.String(), Type.Null()], { description: 'From its BootNotification' }),
            online: Type.Boolean(), lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          })), [pendingCharger]),
        },
      }),
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
      schema: operation({
        id: 'getChargerBySerialNumber', tag, access: 'public', summary: 'A charger by its serial number',
        description: 'The charger whose serial number (the identity it connects with, `ws://…/charger/<serial>`) is given.',
        errors: {
          400: 'The serial number is empty or longer than 36 characters (`invalidSerialNumber`)',
          404: { description: 'No charger has this serial number', codes: ['notFoundError'], message: 'Charger with serial number abc999 not found' },
        },
      }, {
        params: Type.Object({ serialNumber: { ...SerialNumber, examples: ['abc111'] } }),
        response: { 200: json('The charger', ChargerRef, seedCharger(100001)) },
      }),
    }, async (request) => chargerJson(await getChargerBySerial(db, request.params.serialNumber)));

    app.get('/chargers/:id', {
      schema: operation({
        id: 'getCharger', tag, access: 'public', summary: 'A charger by connectorID',
        description: 'The charger with this connectorID, the number its screen shows as QR code and users type in the app.',
        errors: { 400: badId, 404: unknownCharger },
      }, {
        params: ChargerId,
        response: { 200: json('The charger', ChargerRef, demoCharger) },
      }),
    }, async (request) => chargerJson(await getCharger(db, request.params.id)));

    app.post('/chargers', {
      onRequest: guards.admin,
      schema: operation({
        id: 'createCharger', tag, access: 'admin', summary: 'Add a charger',
        description: 'Registers a charger at a charge point; it gets the next connectorID and starts `Available`. '
          + 'The charger connects with its serial number as identity.',
        errors: {
          400: {
            description: 'Invalid field (`invalidSerialNumber`, `invalidCoordinates`, `invalidLatitude`, `invalidLongitude`, `invalidChargePointID`), '
              + 'a serial number in use (`dbUniqueConstraintError`) or an unknown charge point (`dbForeignKeyConstraintError`)',
            codes: ['invalidLatitude'], message: 'body/location/0 must be <= 90',
          },
        },
      }, {
        body: Type.Object(
          { chargePointID: ChargePointID, location: LocationTuple('invalidCoordinates'), serialNumber: SerialNumber },
          { 'x-error-code': 'invalidInput', examples: [{ chargePointID: 2, location: jonkopingUniversity.location, serialNumber: 'abc120' }] },
        ),
        response: {
          201: json('The charger, created', ChargerRef, { ...seedCharger(100004), connectorID: 100010, serialNumber: 'abc120', online: false, lastSeen: null }),
        },
      }),
    }, async (request, reply) => {
      const { chargePointID, location, serialNumber } = request.body;
      const charger = await createCharger(db, {
        serialNumber, chargePointId: chargePointID, location: { latitude: location[0], longitude: location[1] },
      });
      return reply.status(201).send(chargerJson(charger));
    });

    app.put('/chargers/:id', {
      onRequest: guards.admin,
      schema: operation({
        id: 'updateCharger', tag, access: 'admin', summary: 'Change a charger',
        description: 'Changes any of status, serial number, charge point, location, OCPP password (`null` removes it), '
          + 'registration status (the answer to its BootNotification; `Accepted` places a self-registered charger, with a `chargePointID`) '
          + 'and OCPP security profile (see the README\'s Security section). '
          + 'Send only the fields to change. '
          + '`status` `Unavailable` or `Available` for a connected OCPP 1.6 charger is sent to it as ChangeAvailability of the whole '
          + 'charger (`Inoperative` / `Operative`, as `POST /chargers/{id}/availability`): the answer carries `availability` '
          + '`{type, status}` with the charger\'s answer, and the status changes when the charger accepted (`Scheduled`: when its '
          + 'running transactions end; `Rejected`: not at all). For an offline OCPP 1.6 charger the status is stored and the '
          + 'ChangeAvailability is sent after its next boot (`availability.status` `Pending`; the last one asked for counts). '
          + 'Any other status, and a charger speaking the FlexiCharge dialect (which has no ChangeAvailability), get the status '
          + 'stored as what the apps see until the charger reports again.',
        errors: {
          400: 'Invalid field, no field at all, a serial number in use, an unknown charge point, or security profile 1 or 2 without a password (`passwordRequired`)',
          404: unknownCharger,
          409: { description: 'A lower security profile than the charger\'s: a profile is only ever raised', codes: ['securityProfileDowngrade'], message: 'The charger uses security profile 2; a profile is never lowered' },
          502: { description: 'The charger answered ChangeAvailability with a CALLERROR; nothing changed', codes: ['NotSupported'], message: 'Charger 100001 answered ChangeAvailability with NotSupported: …' },
          504: { description: 'The charger did not answer ChangeAvailability within OCPP_CALL_TIMEOUT; nothing changed', codes: ['chargerTimeout'], message: 'Charger 100001: ChangeAvailability was not answered within 30 s' },
        },
      }, {
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
            registrationStatus: Type.Optional(Type.Unsafe<RegistrationStatus>({
              type: 'string', enum: [...REGISTRATION_STATUSES], 'x-error-code': 'invalidRegistrationStatus',
              description: 'Answer to the charger\'s BootNotification',
            })),
            securityProfile: Type.Optional(Type.Integer({
              minimum: 0, maximum: 3, 'x-error-code': 'invalidSecurityProfile',
              description: 'OCPP security profile the charger must connect with: 0 none (Basic Auth only when it has a password), '
                + '1 Basic Auth, 2 Basic Auth over wss:// only, 3 wss:// with a client certificate whose subject CN is its serial number. '
                + 'Only ever raised; 1 and 2 need a password (set it in the same request or before). Applies from its next connection.',
            })),
          },
          { minProperties: 1, 'x-error-code': 'invalidStatus', examples: [{ status: 'Available' }] },
        ),
        response: {
          200: json('The charger, changed', Type.Intersect([ChargerRef, Type.Object({
            availability: Type.Optional(Type.Object({
              type: Type.String({ enum: ['Operative', 'Inoperative'] }),
              status: Type.String({
                enum: ['Accepted', 'Scheduled', 'Rejected', 'Pending'],
                description: 'The charger\'s answer to ChangeAvailability; `Pending`: the charger is offline and gets it after its next boot',
              }),
            }, { description: 'Present when the status is (or will be) sent to the charger as ChangeAvailability' })),
          })]), { ...demoCharger, status: 'Unavailable', availability: { type: 'Inoperative', status: 'Accepted' } }),
        },
      }),
    }, async (request) => {
      const { status, serialNumber, chargePointID, location, password, registrationStatus, securityProfile } = request.body;
      const change = status === undefined ? undefined : await changeStatus(db, gateway, request.params.id, status, request.auth!.userId);
      const charger = await updateCharger(db, request.params.id, {
        status: change?.store ? status : undefined,
        serialNumber,
        chargePointId: chargePointID,
        location: location && { latitude: location[0], longitude: location[1] },
        password,
        registrationStatus,
        securityProfile,
      });
      return change?.availability ? { ...chargerJson(charger), availability: change.availability } : chargerJson(charger);
    });

    app.get('/chargers/:id/security/events', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargerSecurityEvents', tag, access: 'admin', summary: 'A charger\'s security events',
        description: 'The security events (SecurityEventNotification), log upload statuses and signed firmware statuses the charger '
          + 'reported, newest first, `limit` at a time (default 50); `before` (an `id`) reads on from there.',
        errors: { 400: badId, 404: unknownCharger },
      }, {
        params: ChargerId,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, 'x-error-code': 'invalidLimit', description: 'Page size, default 50' })),
          before: Type.Optional(Type.Integer({ minimum: 1, 'x-error-code': 'invalidBefore', description: 'Only events with a smaller `id`' })),
        }),
        response: {
          200: json('The events, newest first; `[]` when there are none', Type.Array(SecurityEventJson), [{
            id: 7, kind: 'security', type: 'TamperDetectionActivated', techInfo: 'enclosure opened', critical: true, requestId: null,
            timestamp: '2025-06-02T08:15:00.000Z', receivedAt: '2025-06-02T08:15:01.000Z',
          }]),
        },
      }),
    }, async (request) => {
      await getCharger(db, request.params.id);
      const events = await listSecurityEvents(db, request.params.id, request.query.limit ?? 50, request.query.before);
      return events.map((event) => ({ ...event, timestamp: event.timestamp.toISOString(), receivedAt: event.receivedAt.toISOString() }));
    });
    app.post('/chargers/:id/password/rotate', {
      onRequest: guards.admin,
      schema: operation({
        id: 'rotateChargerPassword', tag, access: 'admin', summary: 'Give a charger a new OCPP password',
        description: 'Generates a password (40 hex characters), sends it to the connected charger with `ChangeConfiguration` '
          + '`AuthorizationKey` (OCPP 1.6 Security Whitepaper) and stores it only when the charger answers `Accepted`; the charger '
          + 'connects with it from then on and the old one is refused. Any other answer leaves the old password. '
          + 'The new password is in this answer and nowhere else (it is stored hashed): keep it if the charger may need to be set up again by hand. '
          + 'Not for chargers in security profile 3 (they authenticate with a client certificate).',
        errors: {
          400: badId,
          404: unknownCharger,
          409: { description: 'The charger is not connected (`chargerOffline`) or uses security profile 3 (`securityProfileCertificate`)', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' },
          502: { description: 'The charger answered with a CALLERROR; its password is unchanged', codes: ['NotSupported'], message: 'Charger 100001 answered ChangeConfiguration with NotSupported: …' },
          504: { description: 'The charger did not answer within OCPP_CALL_TIMEOUT; its password is unchanged', codes: ['chargerTimeout'], message: 'Charger 100001: ChangeConfiguration was not answered within 30 s' },
        },
      }, {
        params: ChargerId,
        response: {
          200: json('The charger\'s answer, and the new password when it was accepted', Type.Object({
            status: Type.String({ enum: ['Accepted', 'Rejected', 'RebootRequired', 'NotSupported'], description: 'The charger\'s answer to ChangeConfiguration; only `Accepted` changes the password' }),
            password: Type.Union([Type.String(), Type.Null()], { description: 'The new password, when accepted; `null` otherwise' }),
          }), { status: 'Accepted', password: '3f5c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d' }),
        },
      }),
    }, async (request) => rotateChargerPassword(db, gateway, request.params.id));

    app.delete('/chargers/:id', {
      onRequest: guards.admin,
      schema: operation({
        id: 'deleteCharger', tag, access: 'admin', summary: 'Remove a charger',
        description: 'Removes the charger with its reservations and meter readings; its charging sessions are kept (without the charger).',
        errors: { 400: badId, 404: unknownCharger },
      }, {
        params: ChargerId,
        response: { 204: noContent('Removed') },
      }),
    }, async (request, reply) => {
      await deleteCharger(db, request.params.id);
      return reply.status(204).send(null);
    });
  };
}
