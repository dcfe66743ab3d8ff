import { Type } from '@sinclair/typebox';
import { changeAvailability, type AvailabilityType } from '../../domain/availability.ts';
import { getCharger } from '../../domain/chargers.ts';
import { listConnectors, statusHistory } from '../../domain/connectors.ts';
import type { App, HttpContext } from '../context.ts';
import { DEMO_CHARGER_ID } from '../examples.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });

const ConnectorJson = Type.Object({
  connectorId: Type.Integer({ description: 'OCPP connector number; 0 is the charger as a whole (listed once it reported)' }),
  status: Nullable(Type.String({ description: 'OCPP ChargePointStatus last reported' })),
  errorCode: Nullable(Type.String({ description: 'OCPP ChargePointErrorCode last reported (`NoError` when fine)' })),
  info: Nullable(Type.String()),
  vendorId: Nullable(Type.String()),
  vendorErrorCode: Nullable(Type.String()),
  statusAt: Nullable(Type.String({ format: 'date-time', description: 'When the charger says the status began (our time when it gave none)' })),
  receivedAt: Nullable(Type.String({ format: 'date-time', description: 'When the report was received' })),
}, { description: 'A connector of a charger as it last reported; the status fields are `null` for one known from NumberOfConnectors that has not reported yet' });

const HistoryJson = Type.Object({
  id: Type.Integer({ description: 'Order of storage; pass as `before` to read the page after this one' }),
  connectorId: Type.Integer({ description: '0 is the charger as a whole' }),
  status: Type.String(),
  errorCode: Type.String(),
  info: Nullable(Type.String()),
  vendorId: Nullable(Type.String()),
  vendorErrorCode: Nullable(Type.String()),
  statusAt: Time,
  receivedAt: Time,
}, { description: 'One StatusNotification the charger sent' });

const iso = (date: Date | null) => date?.toISOString() ?? null;
const tag = TAG.chargers;
const ChargerId = IdParam('invalidconnectorID', 'connectorID of the charger', DEMO_CHARGER_ID);
const badId = { description: '`id` is not a connectorID (an integer)', codes: ['invalidconnectorID', 'invalidDataType'], message: 'params/id must be integer' };
const unknownCharger = 'No charger has this connectorID';
const ConnectorNumber = (errorCode: string, description: string) => Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': errorCode, description });

const connectorsExample = [
  {
    connectorId: 1, status: 'Charging', errorCode: 'NoError', info: null, vendorId: null, vendorErrorCode: null,
    statusAt: '2025-06-02T08:15:00.000Z', receivedAt: '2025-06-02T08:15:00.120Z',
  },
  { connectorId: 2, status: null, errorCode: null, info: null, vendorId: null, vendorErrorCode: null, statusAt: null, receivedAt: null },
];

/** A charger's connectors, their past statuses, and taking them in or out of service (ChangeAvailability). */
export function connectorRoutes({ db, guards, gateway }: HttpContext) {
  return async (app: App) => {
    app.get('/chargers/:id/connectors', {
      schema: operation({
        id: 'listChargerConnectors', tag, access: 'public', summary: 'A charger\'s connectors and their status',
        description: 'Each connector of the charger with the status, error code, info and vendor error it last reported '
          + '(StatusNotification), by number. Connectors the charger announced with NumberOfConnectors (asked after a boot while unknown) '
          + 'are listed before they report, with `null` status. Public like `GET /chargers/{id}`, so an app can let the user pick '
          + 'a connector (`ocppConnectorId` of `POST /transaction` and `POST /reservations`).',
        errors: { 400: badId, 404: unknownCharger },
      }, {
        params: ChargerId,
        response: { 200: json('The connectors; `[]` when the charger never reported any', Type.Array(ConnectorJson), connectorsExample) },
      }),
    }, async (request) => {
      await getCharger(db, request.params.id);
      return (await listConnectors(db, request.params.id)).map((c) => ({ ...c, statusAt: iso(c.statusAt), receivedAt: iso(c.receivedAt) }));
    });

    app.get('/chargers/:id/status-history', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargerStatusHistory', tag, access: 'admin', summary: 'A charger\'s past statuses and errors',
        description: 'Every StatusNotification the charger sent, newest first, `limit` at a time (default 50); `before` (an `id`) '
          + 'reads on from there. `connectorId` keeps one connector (0 is the charger as a whole); `errorsOnly=true` keeps the '
          + 'reports with an error code other than `NoError` or status `Faulted`.',
        errors: { 400: badId, 404: unknownCharger },
      }, {
        params: ChargerId,
        querystring: Type.Object({
          connectorId: Type.Optional(ConnectorNumber('invalidConnectorId', 'Only this connector')),
          errorsOnly: Type.Optional(Type.Boolean({ 'x-error-code': 'invalidErrorsOnly', description: 'Only reports of an error' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, 'x-error-code': 'invalidLimit', description: 'Page size, default 50' })),
          before: Type.Optional(Type.Integer({ minimum: 1, 'x-error-code': 'invalidBefore', description: 'Only entries with a smaller `id`' })),
        }),
        response: {
          200: json('The reports, newest first; `[]` when there are none', Type.Array(HistoryJson), [{
            id: 812, connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', info: 'RCD tripped', vendorId: 'com.example', vendorErrorCode: 'E42',
            statusAt: '2025-06-02T08:15:00.000Z', receivedAt: '2025-06-02T08:15:00.120Z',
          }]),
        },
      }),
    }, async (request) => {
      await getCharger(db, request.params.id);
      const { connectorId, errorsOnly, limit, before } = request.query;
      const entries = await statusHistory(db, request.params.id, { connectorId, errorsOnly, limit: limit ?? 50, before });
      return entries.map((entry) => ({ ...entry, statusAt: entry.statusAt.toISOString(), receivedAt: entry.receivedAt.toISOString() }));
    });

    app.post('/chargers/:id/availability', {
      onRequest: guards.admin,
      schema: operation({
        id: 'changeChargerAvailability', tag, access: 'admin', summary: 'Take a charger or connector out of service, or back in',
        description: 'Sends OCPP ChangeAvailability to the connected charger: `Inoperative` takes the connector (`connectorId`; 0 or '
          + 'absent: the whole charger) out of service, `Operative` puts it back. Answers with the charger\'s answer: `Accepted`, '
          + '`Scheduled` (a transaction runs there; the change follows when it ends) or `Rejected`. The charger reports the new '
          + 'status itself (StatusNotification, see `GET /chargers/{id}/connectors`). An offline charger is not changed (409).',
        errors: {
          400: { description: 'Invalid `type` or `connectorId`', codes: ['invalidAvailabilityType'], message: 'body/type must be equal to one of the allowed values' },
          404: { description: 'No charger has this connectorID, or it has no such connector', codes: ['connectorNotFound'], message: 'Charger 100001 has no connector 3 (it has 1, 2)' },
          409: {
            description: 'The charger is not connected (`chargerOffline`) or speaks the FlexiCharge dialect, which has no ChangeAvailability (`notSupportedByCharger`)',
            codes: ['chargerOffline'], message: 'Charger 100001 is not connected',
          },
          502: { description: 'The charger answered with a CALLERROR', codes: ['NotSupported'], message: 'Charger 100001 answered ChangeAvailability with NotSupported: …' },
          504: { description: 'The charger did not answer within OCPP_CALL_TIMEOUT', codes: ['chargerTimeout'], message: 'Charger 100001: ChangeAvailability was not answered within 30 s' },
        },
      }, {
        params: ChargerId,
        body: Type.Object({
          type: Type.Unsafe<AvailabilityType>({ type: 'string', enum: ['Operative', 'Inoperative'], 'x-error-code': 'invalidAvailabilityType', description: 'Operative: in service; Inoperative: out of service' }),
          connectorId: Type.Optional(ConnectorNumber('invalidConnectorId', 'The connector; 0 or absent: the whole charger')),
        }, { additionalProperties: false, 'x-error-code': 'invalidInput', examples: [{ type: 'Inoperative', connectorId: 2 }] }),
        response: {
          200: json('The charger\'s answer', Type.Object({
            status: Type.String({ enum: ['Accepted', 'Scheduled', 'Rejected'], description: 'The charger\'s answer to ChangeAvailability' }),
            connectorId: Type.Integer({ description: 'The connector changed; 0: the whole charger' }),
            type: Type.String({ enum: ['Operative', 'Inoperative'] }),
          }), { status: 'Accepted', connectorId: 2, type: 'Inoperative' }),
        },
      }),
    }, async (request) => {
      const { type, connectorId = 0 } = request.body;
      const status = await changeAvailability(db, gateway, request.params.id, type, connectorId, request.auth!.userId);
      return { status, connectorId, type };
    });
  };
}
