import { Type } from '@sinclair/typebox';
import type { ChargingPlan } from '../../domain/balancing/chargingPlan.ts';

/** A session's charging plan as the apps and the dashboard read it. */
export const ChargingPlanJson = Type.Object({
  readyBy: Type.String({ format: 'date-time', description: 'When the driver wants the energy charged' }),
  readyByTimestamp: Type.Integer({ description: 'The same, in epoch seconds' }),
  energyWh: Type.Integer({ description: 'The energy asked for' }),
  plannedEnergyWh: Type.Integer({ description: 'The energy the periods charge: less than energyWh when there is too little time even at full current' }),
  expectedCostOre: Type.Integer({ description: 'What the planned energy costs at the prices of its hours (site price + electricity tariff), in öre' }),
  currency: Type.String(),
  periods: Type.Array(Type.Object({
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    currentA: Type.Number({ description: 'Amperes per phase: the most the charger and its site allow the session' }),
    energyWh: Type.Integer(),
    pricePerKwhOre: Type.Integer({ description: 'The price of its hours per kWh, averaged over its energy' }),
  }), { description: 'When the session charges, oldest first; between them it waits' }),
}, { description: 'The cheapest hours before readyBy that charge the energy asked for' });

export const CHARGING_PLAN_EXAMPLE = {
  readyBy: '2025-06-03T06:00:00.000Z', readyByTimestamp: 1748930400, energyWh: 30000, plannedEnergyWh: 30000, expectedCostOre: 13701, currency: 'SEK',
  periods: [
    { startsAt: '2025-06-03T01:16:57.000Z', endsAt: '2025-06-03T03:00:00.000Z', currentA: 16, energyWh: 18960, pricePerKwhOre: 458 },
    { startsAt: '2025-06-03T04:00:00.000Z', endsAt: '2025-06-03T05:00:00.000Z', currentA: 16, energyWh: 11040, pricePerKwhOre: 454 },
  ],
};

export function chargingPlanJson(plan: ChargingPlan) {
  return {
    readyBy: plan.readyBy.toISOString(),
    readyByTimestamp: Math.floor(plan.readyBy.getTime() / 1000),
    energyWh: plan.energyWh,
    plannedEnergyWh: plan.plannedEnergyWh,
    expectedCostOre: plan.expectedCostOre,
    currency: plan.currency,
    periods: plan.periods,
  };
}
