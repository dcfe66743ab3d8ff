import { Type } from '@sinclair/typebox';
import { BALANCING_PROFILES, PHASE_CONNECTIONS } from '../../db/schema.ts';
import {
  chargerSupply, MAX_BALANCING_PRIORITY, MIN_BALANCING_PRIORITY, MIN_CHARGING_CURRENT, setChargerSupply, setSiteCapacity, siteCapacity,
  type ChargerSupply, type SiteCapacity,
} from '../../domain/siteCapacity.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';
import { badSiteId, ChargePointId, unknownSite } from './chargePointShapes.ts';

const ChargerId = IdParam('invalidconnectorID', 'connectorID of the charger', 100001);

const SiteCapacityJson = Type.Object({
  chargePointID: Type.Integer(),
  maxCurrentA: Type.Union([Type.Number(), Type.Null()], { description: 'The grid connection\'s current per phase, in amperes; null: no current limit' }),
  maxPowerW: Type.Union([Type.Integer(), Type.Null()], { description: 'The grid connection\'s power, in watts; null: no power limit' }),
  phases: Type.Union([Type.Literal(1), Type.Literal(3)], { description: 'Phases of the grid connection' }),
  reserveCurrentA: Type.Number({ description: 'Amperes per phase kept for the site\'s other loads' }),
}, { $id: 'SiteCapacity', description: 'A charge point\'s grid connection, which its chargers share' });

const ChargerSupplyJson = Type.Object({
  connectorID: Type.Integer(),
  maxCurrentA: Type.Number({ description: 'The most current per phase the charger may draw, in amperes' }),
  phaseConnection: Type.Union(PHASE_CONNECTIONS.map((value) => Type.Literal(value)), {
    description: 'The site phases the charger is wired to: one (`L1`, `L2`, `L3`) or all three in its own phase order (`L2L3L1`: its first phase is the site\'s L2)',
  }),
  priority: Type.Integer({
    minimum: MIN_BALANCING_PRIORITY, maximum: MAX_BALANCING_PRIORITY,
    description: 'Its weight in the site\'s load balancing: its share of what the site has is in proportion, and when not every session can have the minimum, the higher ones get it first',
  }),
  profilePurpose: Type.Union(BALANCING_PROFILES.map((value) => Type.Literal(value)), {
    description: 'How its balancing limits are sent: `TxProfile` (for the running transaction) or `TxDefaultProfile` (on the connector, for chargers that handle no TxProfile)',
  }),
  smartCharging: Type.Union([Type.Literal('unknown'), Type.Literal('supported'), Type.Literal('unsupported')], {
    description: 'What it showed of smart charging (SetChargingProfile) so far; an `unsupported` one is counted at its maximum current. Read-only',
  }),
}, { $id: 'ChargerSupply', description: 'How a charger is supplied and takes part in its site\'s load balancing' });

const capacityJson = (capacity: SiteCapacity) => ({
  chargePointID: capacity.chargePointId, maxCurrentA: capacity.maxCurrent, maxPowerW: capacity.maxPower, phases: capacity.phases, reserveCurrentA: capacity.reserveCurrent,
});
const supplyJson = (supply: ChargerSupply) => ({
  connectorID: supply.chargerId, maxCurrentA: supply.maxCurrent, phaseConnection: supply.phaseConnection,
  priority: supply.priority, profilePurpose: supply.profilePurpose, smartCharging: supply.smartCharging,
});

const capacityExample = { chargePointID: 2, maxCurrentA: 63, maxPowerW: null, phases: 3 as const, reserveCurrentA: 10 };
const supplyExample = {
  connectorID: 100001, maxCurrentA: 32, phaseConnection: 'L1L2L3' as const, priority: 1, profilePurpose: 'TxProfile' as const, smartCharging: 'supported' as const,
};
const unknownCharger = { description: 'No charger has this connectorID', codes: ['notFoundError'], message: 'Charger 99 not found' };
const badChargerId = { description: '`id` is not a connectorID (an integer)', codes: ['invalidconnectorID', 'invalidDataType'], message: 'params/id must be integer' };

/**
 * A site's grid connection and each charger's supply: the limits the site's chargers are kept
 * within together. Admins only.
 */
export function capacityRoutes({ db, bus, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(SiteCapacityJson);
    app.addSchema(ChargerSupplyJson);
    const SiteCapacityRef = Type.Ref(SiteCapacityJson);
    const ChargerSupplyRef = Type.Ref(ChargerSupplyJson);

    app.get('/chargePoints/:id/capacity', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getSiteCapacity', tag: TAG.chargePoints, access: 'admin', summary: 'A charge point\'s grid connection',
        description: 'The current per phase and the power its chargers share, its phases and the reserve kept for its other loads.',
        errors: { 400: badSiteId, 404: unknownSite },
      }, { params: ChargePointId, response: { 200: json('The capacity', SiteCapacityRef, capacityExample) } }),
    }, async (request) => capacityJson(await siteCapacity(db, request.params.id)));

    app.put('/chargePoints/:id/capacity', {
      onRequest: guards.admin,
      schema: operation({
        id: 'setSiteCapacity', tag: TAG.chargePoints, access: 'admin', summary: 'Set a charge point\'s grid connection',
        description: 'Changes any of the fields (`null` removes a limit). The reserve must leave the chargers at least '
          + `${MIN_CHARGING_CURRENT} A per phase (one car's minimum, IEC 61851) of the current limit. The site's chargers are balanced again.`,
        errors: { 400: { description: 'A field out of range, or a reserve that leaves the chargers less than one car\'s minimum (`invalidCapacity`)', codes: ['invalidCapacity'], message: 'The reserve (60 A) leaves less than 6 A of the 63 A per phase for the chargers' }, 404: unknownSite },
      }, {
        params: ChargePointId,
        body: Type.Partial(Type.Object({
          maxCurrentA: Type.Union([Type.Number({ minimum: MIN_CHARGING_CURRENT, maximum: 10_000 }), Type.Null()], { 'x-error-code': 'invalidCapacity' }),
          maxPowerW: Type.Union([Type.Integer({ minimum: 1_000, maximum: 100_000_000 }), Type.Null()], { 'x-error-code': 'invalidCapacity' }),
          phases: Type.Union([Type.Literal(1), Type.Literal(3)], { 'x-error-code': 'invalidCapacity' }),
          reserveCurrentA: Type.Number({ minimum: 0, maximum: 10_000, 'x-error-code': 'invalidCapacity' }),
        }), { minProperties: 1, 'x-error-code': 'invalidCapacity', examples: [{ maxCurrentA: 63, reserveCurrentA: 10 }] }),
        response: { 200: json('The capacity, changed', SiteCapacityRef, capacityExample) },
      }),
    }, async (request) => {
      const { maxCurrentA, maxPowerW, phases, reserveCurrentA } = request.body;
      return capacityJson(await setSiteCapacity(db, bus, request.params.id, { maxCurrent: maxCurrentA, maxPower: maxPowerW, phases, reserveCurrent: reserveCurrentA }));
    });

    app.get('/chargers/:id/supply', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getChargerSupply', tag: TAG.chargers, access: 'admin', summary: 'How a charger is supplied',
        description: 'The most current per phase the charger may draw, the site phases it is wired to, its priority and profile purpose in the site\'s load balancing, '
          + 'and whether it has shown it supports smart charging.',
        errors: { 400: badChargerId, 404: unknownCharger },
      }, { params: ChargerId, response: { 200: json('Its supply', ChargerSupplyRef, supplyExample) } }),
    }, async (request) => supplyJson(await chargerSupply(db, request.params.id)));

    app.put('/chargers/:id/supply', {
      onRequest: guards.admin,
      schema: operation({
        id: 'setChargerSupply', tag: TAG.chargers, access: 'admin', summary: 'Set how a charger is supplied',
        description: 'Changes any of its maximum current per phase (6–630 A), the site phases it is wired to, its balancing priority '
          + `(${MIN_BALANCING_PRIORITY}–${MAX_BALANCING_PRIORITY}) and the purpose its limits are sent as; \`smartCharging\` is learnt from the charger, not set. `
          + 'Its site\'s chargers are balanced again.',
        errors: { 400: { description: 'A field out of range or not one of the values (`invalidSupply`)', codes: ['invalidSupply'], message: 'body/maxCurrentA must be >= 6' }, 404: unknownCharger },
      }, {
        params: ChargerId,
        body: Type.Partial(Type.Object({
          maxCurrentA: Type.Number({ minimum: MIN_CHARGING_CURRENT, maximum: 630, 'x-error-code': 'invalidSupply' }),
          phaseConnection: Type.Union(PHASE_CONNECTIONS.map((value) => Type.Literal(value)), { 'x-error-code': 'invalidSupply' }),
          priority: Type.Integer({ minimum: MIN_BALANCING_PRIORITY, maximum: MAX_BALANCING_PRIORITY, 'x-error-code': 'invalidSupply' }),
          profilePurpose: Type.Union(BALANCING_PROFILES.map((value) => Type.Literal(value)), { 'x-error-code': 'invalidSupply' }),
        }), { minProperties: 1, 'x-error-code': 'invalidSupply', examples: [{ maxCurrentA: 16, phaseConnection: 'L2', priority: 5 }] }),
        response: { 200: json('Its supply, changed', ChargerSupplyRef, { ...supplyExample, maxCurrentA: 16, phaseConnection: 'L2' as const, priority: 5 }) },
      }),
    }, async (request) => {
      const { maxCurrentA, phaseConnection, priority, profilePurpose } = request.body;
      return supplyJson(await setChargerSupply(db, bus, request.params.id, { maxCurrent: maxCurrentA, phaseConnection, priority, profilePurpose }));
    });
  };
}
