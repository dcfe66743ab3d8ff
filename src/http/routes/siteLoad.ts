import { Type } from '@sinclair/typebox';
import { BALANCING_PROFILES } from '../../db/schema.ts';
import {
  DEFAULT_HISTORY_MS, MAX_HISTORY_MS, MAX_HISTORY_POINTS, siteLoad, siteLoadHistory, type SiteLoad, type SiteLoadHistory,
} from '../../domain/balancing/siteLoad.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { badSiteId, ChargePointId, unknownSite } from './chargePointShapes.ts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });
const Time = Type.String({ format: 'date-time' });

const SiteLoadConnectorJson = Type.Object({
  chargerID: Type.Integer({ description: 'The charger (connectorID)' }),
  connectorID: Type.Integer({ description: 'Its OCPP connector' }),
  serialNumber: Type.String(),
  sessionID: Type.Integer(),
  priority: Type.Integer({ description: 'The charger\'s balancing priority (1–10)' }),
  smartCharging: Type.Union([Type.Literal('unknown'), Type.Literal('supported'), Type.Literal('unsupported')], { description: 'What the charger showed of smart charging' }),
  profilePurpose: Type.Union(BALANCING_PROFILES.map((value) => Type.Literal(value)), { description: 'How its limits are sent' }),
  maxCurrentA: Type.Number({ description: 'The charger\'s own maximum per phase' }),
  allocatedCurrentA: nullable(Type.Number(), 'The balancer\'s limit per phase (0: wait for the minimum); null while it has given none'),
  inForceCurrentA: nullable(Type.Number(), 'The limit the charger last accepted; null: none, it draws its maximum'),
  status: nullable(Type.Union(['pending', 'accepted', 'rejected', 'failed', 'unsupported'].map((value) => Type.Literal(value))), 'Where the limit stands with the charger'),
  limitedBy: nullable(Type.String(), 'What set the limit: `charger`, `demand`, `site`, `plan`, `minimum`, `unsupported`, `offline` or `unanswered`'),
  powerW: nullable(Type.Number(), 'The session\'s last reported power'),
  online: Type.Boolean(),
}, { $id: 'SiteLoadConnector', description: 'A running session on one of the site\'s chargers, with the limit the load balancer gave its connector' });

const SiteLoadJson = Type.Object({
  chargePointID: Type.Integer(),
  phases: Type.Union([Type.Literal(1), Type.Literal(3)]),
  availableCurrentA: nullable(Type.Number(), 'Per phase, for the chargers: the current limit less the reserve; null: no current limit'),
  limitW: nullable(Type.Number(), 'The most the chargers may draw together: the power limit, or the available current on every phase at 230 V, whichever is less; null: no limit'),
  loadW: Type.Number({ description: 'The running sessions\' last reported power, summed' }),
  allocatedCurrentA: Type.Object({ L1: Type.Number(), L2: Type.Number(), L3: Type.Number() }, {
    description: 'The balancer\'s limits of the running connectors, summed per site phase (a three-phase charger on all three, a single-phase one on its phase; all on L1 on a single-phase site)',
  }),
  balancedAt: nullable(Time, 'When the balancer last computed a limit for the site'),
  connectors: Type.Array(Type.Ref(SiteLoadConnectorJson)),
}, { $id: 'SiteLoad', description: 'A site\'s load now against what its grid connection allows' });

const SiteLoadHistoryJson = Type.Object({
  chargePointID: Type.Integer(),
  from: Type.String({ format: 'date-time', description: 'The first point\'s time: `from` rounded down to a whole step' }),
  to: Type.String({ format: 'date-time' }),
  stepSeconds: Type.Integer({ description: 'The time between points' }),
  limitW: nullable(Type.Number(), 'The site\'s limit now (as in `GET /chargePoints/{id}/load`)'),
  points: Type.Array(Type.Object({ at: Time, loadW: Type.Number() }), { description: 'One per step, at its start' }),
}, { $id: 'SiteLoadHistory', description: 'A site\'s load over time' });

const loadJson = (load: SiteLoad) => ({
  chargePointID: load.chargePointId,
  phases: load.phases,
  availableCurrentA: load.availableCurrent,
  limitW: load.limit,
  loadW: load.load,
  allocatedCurrentA: load.allocatedCurrent,
  balancedAt: load.balancedAt?.toISOString() ?? null,
  connectors: load.connectors.map((connector) => ({
    chargerID: connector.chargerId,
    connectorID: connector.connectorId,
    serialNumber: connector.serialNumber,
    sessionID: connector.sessionId,
    priority: connector.priority,
    smartCharging: connector.smartCharging,
    profilePurpose: connector.profilePurpose,
    maxCurrentA: connector.maxCurrent,
    allocatedCurrentA: connector.allocatedCurrent,
    inForceCurrentA: connector.inForceCurrent,
    status: connector.status,
    limitedBy: connector.limitedBy,
    powerW: connector.power,
    online: connector.online,
  })),
});

const historyJson = (history: SiteLoadHistory) => ({
  chargePointID: history.chargePointId,
  from: history.from.toISOString(),
  to: history.to.toISOString(),
  stepSeconds: history.stepSeconds,
  limitW: history.limit,
  points: history.points.map((point) => ({ at: point.at.toISOString(), loadW: point.load })),
});

const loadExample = {
  chargePointID: 2, phases: 3 as const, availableCurrentA: 53, limitW: 36_570, loadW: 29_440,
  allocatedCurrentA: { L1: 48, L2: 48, L3: 32 }, balancedAt: '2026-06-02T08:00:00.000Z',
  connectors: [{
    chargerID: 100004, connectorID: 1, serialNumber: 'abc114', sessionID: 812, priority: 2, smartCharging: 'supported' as const, profilePurpose: 'TxProfile' as const,
    maxCurrentA: 32, allocatedCurrentA: 32, inForceCurrentA: 32, status: 'accepted' as const, limitedBy: 'charger', powerW: 22_080, online: true,
  }, {
    chargerID: 100005, connectorID: 1, serialNumber: 'abc115', sessionID: 815, priority: 1, smartCharging: 'supported' as const, profilePurpose: 'TxProfile' as const,
    maxCurrentA: 32, allocatedCurrentA: 16, inForceCurrentA: 16, status: 'accepted' as const, limitedBy: 'site', powerW: 7_360, online: true,
  }],
};
const historyExample = {
  chargePointID: 2, from: '2026-06-02T07:00:00.000Z', to: '2026-06-02T08:00:00.000Z', stepSeconds: 10, limitW: 36_570,
  points: [{ at: '2026-06-02T07:00:00.000Z', loadW: 22_080 }, { at: '2026-06-02T07:00:10.000Z', loadW: 29_440 }],
};

/**
 * A site's load against its limit, now and over time, for the operators watching the load
 * balancer. Admins only.
 */
export function siteLoadRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(SiteLoadConnectorJson);
    app.addSchema(SiteLoadJson);
    app.addSchema(SiteLoadHistoryJson);

    app.get('/chargePoints/:id/load', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getSiteLoad', tag: TAG.chargePoints, access: 'admin', summary: 'A charge point\'s load against its limit',
        description: 'The site\'s limit, its running sessions\' power summed, and each running session with the current limit the load balancer '
          + 'gave its connector (`allocatedCurrentA` null while it has given none, e.g. on a site without a limit), summed per site phase.',
        errors: { 400: badSiteId, 404: unknownSite },
      }, { params: ChargePointId, response: { 200: json('The load', Type.Ref(SiteLoadJson), loadExample) } }),
    }, async (request) => loadJson(await siteLoad(db, request.params.id)));

    app.get('/chargePoints/:id/load/history', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getSiteLoadHistory', tag: TAG.chargePoints, access: 'admin', summary: 'A charge point\'s load over time',
        description: `The site's load in [\`from\`, \`to\`) (by default the last ${DEFAULT_HISTORY_MS / 60_000} minutes, at most ${MAX_HISTORY_MS / 86_400_000} days) `
          + 'from the power its chargers reported (`Power.Active.Import`), one point per step: each running session\'s mean power in the step, summed. '
          + 'A session that reported nothing in a step counts with the last power it reported. The step is 10 s or longer, a round length that gives '
          + `at most about ${MAX_HISTORY_POINTS} points; steps start at whole multiples of it.`,
        errors: {
          400: { description: '`id` is not a chargePointID, `from` or `to` is not a date-time, `from` is not before `to`, or the range is too long (`invalidRange`)', codes: ['invalidRange'], message: 'At most 7 days at a time' },
          404: unknownSite,
        },
      }, {
        params: ChargePointId,
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time', 'x-error-code': 'invalidRange', description: 'Start (ISO 8601); default an hour before `to`' })),
          to: Type.Optional(Type.String({ format: 'date-time', 'x-error-code': 'invalidRange', description: 'End (ISO 8601); default now' })),
        }),
        response: { 200: json('The load over time', Type.Ref(SiteLoadHistoryJson), historyExample) },
      }),
    }, async (request) => {
      const { from, to } = request.query;
      return historyJson(await siteLoadHistory(db, request.params.id, {
        from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to),
      }));
    });
  };
}
