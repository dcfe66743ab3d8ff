import { Type } from '@sinclair/typebox';
import { CONFIGURATION_CHANGE_STATUSES } from '../../domain/chargerConfiguration.ts';
import type { ConfigurationView, PushResult } from '../../domain/configurationControl.ts';
import type { DesiredKey, DesiredLevel } from '../../domain/desiredConfiguration.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG, type ErrorDoc } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

/** OCPP 1.6 CiString50 (ChangeConfiguration.key): printable ASCII. */
const KeyParam = Type.String({
  minLength: 1, maxLength: 50, pattern: '^[\\x21-\\x7e]+$', 'x-error-code': 'invalidConfigurationKey',
  description: 'The configuration key (OCPP 1.6 §9), up to 50 printable ASCII characters', examples: ['MeterValueSampleInterval'],
});
/** OCPP 1.6 CiString500 (ChangeConfiguration.value). */
const ValueBody = Type.Object({
  value: Type.String({ maxLength: 500, pattern: '^[\\x20-\\x7e]*$', 'x-error-code': 'invalidConfigurationValue', description: 'The value, as OCPP sends it: a string of up to 500 printable ASCII characters' }),
}, { additionalProperties: false, examples: [{ value: '60' }] });

const ChangeStatus = Type.String({ enum: [...CONFIGURATION_CHANGE_STATUSES], description: 'The charger\'s answer to ChangeConfiguration, or `Failed` (no answer in time, or a CALLERROR: see `error`)' });

const KeyJson = Type.Object({
  key: Type.String(),
  value: Nullable(Type.String({ description: 'As last reported, or as the charger accepted it since; `null` when not known' })),
  readonly: Type.Union([Type.Boolean(), Type.Null()], { description: 'As last reported; `null` when the last GetConfiguration did not list the key' }),
  readAt: Nullable(Type.String({ format: 'date-time', description: 'When the charger last reported the key' })),
  desired: Type.Union([Type.Object({
    value: Type.String(),
    source: Type.String({ enum: ['charger', 'chargePoint'], description: 'Set for this charger, or for its charge point' }),
  }), Type.Null()], { description: 'The value the charger should hold; `null` when none is set' }),
  lastChange: Type.Union([Type.Object({
    status: ChangeStatus,
    value: Type.String({ description: 'The value sent' }),
    error: Nullable(Type.String({ description: 'Why it failed' })),
    by: Type.String({ description: '`operator` (an admin\'s change) or `configuration` (a push of the desired configuration)' }),
    at: DateTime,
  }), Type.Null()], { description: 'The last ChangeConfiguration of the key; `null` when none was sent' }),
});

const ConfigurationJson = Type.Object({
  chargerId: Type.Integer({ description: 'The charger (connectorID)' }),
  readAt: Nullable(Type.String({ format: 'date-time', description: 'When the last GetConfiguration answer came; `null` when none was read' })),
  unknownKeys: Type.Array(Type.String(), { description: 'Keys the charger said it does not know in that answer' }),
  rebootRequired: Type.Boolean({ description: 'A change answered RebootRequired since the charger last booted' }),
  keys: Type.Array(KeyJson, { description: 'Every key reported, changed or desired, by name' }),
});

const PushJson = Type.Array(Type.Object({
  chargerId: Type.Integer(),
  status: Type.Union([ChangeStatus, Type.Null()], { description: '`null` when the charger went offline before the key was sent' }),
  error: Type.Optional(Type.String()),
}), { description: 'The chargers online that follow this setting, each with its answer' });

const DesiredJson = Type.Object({ key: Type.String(), value: Type.String(), updatedAt: DateTime });

const exampleAt = '2026-03-02T08:15:00.000Z';
const configurationExample = {
  chargerId: 100001, readAt: exampleAt, unknownKeys: [], rebootRequired: false,
  keys: [
    {
      key: 'MeterValueSampleInterval', value: '60', readonly: false, readAt: exampleAt, desired: { value: '60', source: 'chargePoint' },
      lastChange: { status: 'Accepted', value: '60', error: null, by: 'configuration', at: exampleAt },
    },
    { key: 'NumberOfConnectors', value: '2', readonly: true, readAt: exampleAt, desired: null, lastChange: null },
  ],
};

const desiredJson = (desired: DesiredKey) => ({ key: desired.key, value: desired.value, updatedAt: desired.updatedAt.toISOString() });
const pushJson = (pushed: PushResult[]) => pushed.map((p) => ({ chargerId: p.chargerId, status: p.status, ...(p.error ? { error: p.error } : {}) }));

function configurationJson(view: ConfigurationView) {
  return {
    ...view,
    readAt: view.readAt?.toISOString() ?? null,
    keys: view.keys.map((k) => ({
      ...k,
      readAt: k.readAt?.toISOString() ?? null,
      lastChange: k.lastChange ? { ...k.lastChange, at: k.lastChange.at.toISOString() } : null,
    })),
  };
}

const ChargerParams = Type.Object({ id: IdParam('invalidconnectorID', 'connectorID of the charger', 100001).properties.id });
const ChargerKeyParams = Type.Object({ id: ChargerParams.properties.id, key: KeyParam });
const ChargePointParams = Type.Object({ id: IdParam('invalidChargePointID', 'chargePointID', 2).properties.id });
const ChargePointKeyParams = Type.Object({ id: ChargePointParams.properties.id, key: KeyParam });

const badCharger: ErrorDoc = { description: '`id` is not a connectorID, or the key or value is not valid', codes: ['invalidconnectorID'], message: 'params/id must be integer' };
const badChargePoint: ErrorDoc = { description: '`id` is not a chargePointID, or the key or value is not valid', codes: ['invalidChargePointID'], message: 'params/id must be integer' };
const readOnly = { description: 'The charger reports the key as read-only (`configurationKeyReadOnly`), or is not connected (`chargerOffline`)', codes: ['configurationKeyReadOnly'], message: 'Charger 100001 reports NumberOfConnectors as read-only' };
const gatewayErrors = {
  502: { description: 'The charger answered with a CALLERROR (its code is in errorCodes), or its dialect does not handle the command', codes: ['NotSupported'], message: 'Charger 100001 answered GetConfiguration with NotSupported: …' },
  503: { description: 'The database, or the node holding the charger, cannot be reached right now', codes: ['databaseUnavailable'], message: 'The database cannot be reached right now; try again shortly' },
  504: { description: 'The charger did not answer within OCPP_CALL_TIMEOUT', codes: ['chargerTimeout'], message: 'Charger 100001: GetConfiguration was not answered within 30 s' },
} satisfies Record<number, ErrorDoc>;

const pushDescription = 'Chargers online that hold the key from this setting get it at once (ChangeConfiguration, then GetConfiguration), '
  + 'and every charger gets it again after each boot; the answer lists each charger\'s result.';

/**
 * The OCPP configuration of chargers over HTTP: what each reported and answered, changes of
 * one key, and the desired configuration per charge point and per charger.
 */
export function configurationRoutes({ guards, configuration }: HttpContext) {
  return async (app: App) => {
    app.get('/chargers/:id/configuration', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getChargerConfiguration', tag: TAG.chargers, access: 'admin', summary: 'A charger\'s configuration',
        description: 'The charger\'s last GetConfiguration answer (each key with its value, whether it is read-only and when it was read, and the keys it did not know), '
          + 'each key\'s desired value and where it comes from, and the last ChangeConfiguration of each key with the charger\'s answer. '
          + 'With `refresh=true` GetConfiguration is sent first and its answer stored.',
        errors: { 400: badCharger, 404: 'No charger has this connectorID', 409: { description: 'A refresh was asked and the charger is not connected', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' }, ...gatewayErrors },
      }, {
        params: ChargerParams,
        querystring: Type.Object({ refresh: Type.Optional(Type.Boolean({ 'x-error-code': 'invalidRefresh', description: 'Ask the charger now (GetConfiguration)' })) }),
        response: { 200: json('The configuration', ConfigurationJson, configurationExample) },
      }),
    }, async (request) => {
      const { id } = request.params;
      const view = request.query.refresh
        ? await configuration.refresh(id, { subsystem: 'configuration', userId: request.auth!.userId })
        : await configuration.view(id);
      return configurationJson(view);
    });

    app.put('/chargers/:id/configuration/:key', {
      onRequest: guards.admin,
      schema: operation({
        id: 'changeChargerConfiguration', tag: TAG.chargers, access: 'admin', summary: 'Change one configuration key of a charger',
        description: 'Sends ChangeConfiguration and records the charger\'s answer for the key: `Accepted` and `RebootRequired` make the value the stored one '
          + '(`RebootRequired`: it takes effect after a reset), `Rejected` and `NotSupported` leave it. A key the stored configuration shows read-only is refused '
          + 'without asking the charger. This is a one-off change: the desired configuration, if it sets the key, is pushed again after the next boot.',
        errors: { 400: badCharger, 404: 'No charger has this connectorID', 409: readOnly, ...gatewayErrors },
      }, {
        params: ChargerKeyParams,
        body: ValueBody,
        response: {
          200: json('The charger\'s answer', Type.Object({ key: Type.String(), value: Type.String(), status: ChangeStatus }), { key: 'MeterValueSampleInterval', value: '60', status: 'Accepted' }),
        },
      }),
    }, async (request) => {
      const { id, key } = request.params;
      const { status } = await configuration.change(id, key, request.body.value, { subsystem: 'configuration', userId: request.auth!.userId });
      return { key, value: request.body.value, status };
    });

    desiredRoutes(app, {
      level: (id) => ({ chargerId: id }),
      path: '/chargers/:id/desired-configuration',
      tag: TAG.chargers,
      what: 'charger',
      idSuffix: 'Charger',
      params: ChargerParams,
      keyParams: ChargerKeyParams,
      badId: badCharger,
      notFound: 'No charger has this connectorID (or, to remove, the key is not set for it)',
      setConflict: readOnly,
      removeNote: 'Chargers keep the value they hold; if its charge point sets the key, that value is pushed at once.',
    }, guards.admin, configuration);

    desiredRoutes(app, {
      level: (id) => ({ chargePointId: id }),
      path: '/chargePoints/:id/desired-configuration',
      tag: TAG.chargePoints,
      what: 'charge point',
      idSuffix: 'ChargePoint',
      params: ChargePointParams,
      keyParams: ChargePointKeyParams,
      badId: badChargePoint,
      notFound: 'No charge point has this chargePointID (or, to remove, the key is not set for it)',
      removeNote: 'Chargers keep the value they hold.',
    }, guards.admin, configuration);
  };
}

interface DesiredRoutesOf {
  level: (id: number) => DesiredLevel;
  path: string;
  tag: (typeof TAG)[keyof typeof TAG];
  what: string;
  idSuffix: string;
  params: typeof ChargerParams;
  keyParams: typeof ChargerKeyParams;
  badId: ErrorDoc;
  notFound: string;
  setConflict?: ErrorDoc;
  removeNote: string;
}

/** List, set and remove the desired configuration at one level (charge point or charger). */
function desiredRoutes(app: App, of: DesiredRoutesOf, admin: HttpContext['guards']['admin'], configuration: HttpContext['configuration']): void {
  app.get(of.path, {
    onRequest: admin,
    schema: operation({
      id: `list${of.idSuffix}DesiredConfiguration`, tag: of.tag, access: 'admin', summary: `The desired configuration of a ${of.what}`,
      description: `The configuration keys set for this ${of.what}, by name. What each charger holds and should hold is in GET /chargers/{id}/configuration.`,
      errors: { 400: of.badId, 404: of.notFound },
    }, {
      params: of.params,
      response: { 200: json('The keys; `[]` when none are set', Type.Array(DesiredJson), [{ key: 'MeterValueSampleInterval', value: '60', updatedAt: exampleAt }]) },
    }),
  }, async (request) => (await configuration.listDesired(of.level(request.params.id))).map(desiredJson));

  app.put(`${of.path}/:key`, {
    onRequest: admin,
    schema: operation({
      id: `set${of.idSuffix}DesiredConfiguration`, tag: of.tag, access: 'admin', summary: `Set a desired configuration key of a ${of.what}`,
      description: `Sets the value the ${of.what}'s chargers should hold for the key${of.what === 'charger' ? ' (it wins over its charge point\'s)' : ' (unless a charger sets the key itself)'}. ${pushDescription}`,
      errors: { 400: of.badId, 404: of.notFound, ...(of.setConflict ? { 409: of.setConflict } : {}) },
    }, {
      params: of.keyParams,
      body: ValueBody,
      response: {
        200: json('The key as set, and the push to the chargers online', Type.Object({ key: Type.String(), value: Type.String(), updatedAt: DateTime, pushed: PushJson }), {
          key: 'MeterValueSampleInterval', value: '60', updatedAt: exampleAt, pushed: [{ chargerId: 100001, status: 'Accepted' }],
        }),
      },
    }),
  }, async (request) => {
    const { desired, pushed } = await configuration.setDesired(of.level(request.params.id), request.params.key, request.body.value);
    return { ...desiredJson(desired), pushed: pushJson(pushed) };
  });

  app.delete(`${of.path}/:key`, {
    onRequest: admin,
    schema: operation({
      id: `remove${of.idSuffix}DesiredConfiguration`, tag: of.tag, access: 'admin', summary: `Remove a desired configuration key of a ${of.what}`,
      description: `The ${of.what}'s chargers are no longer kept at a value for the key. ${of.removeNote}`,
      errors: { 400: of.badId, 404: of.notFound },
    }, {
      params: of.keyParams,
      response: {
        200: json('Removed; the chargers that got their charge point\'s value instead', Type.Object({ pushed: PushJson }), { pushed: [] }),
      },
    }),
  }, async (request) => ({ pushed: pushJson((await configuration.removeDesired(of.level(request.params.id), request.params.key)).pushed) }));
}
