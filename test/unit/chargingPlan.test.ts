import { describe, expect, it } from 'vitest';
import type { PlanPeriod } from '../../src/db/schema.ts';
import { nextPlanChange, planCharging, plannedCurrentAt, type PlanRequest } from '../../src/domain/balancing/chargingPlan.ts';
import { DomainError } from '../../src/domain/errors.ts';

const HOUR = 3_600_000;
const h0 = Date.UTC(2026, 10, 20, 18);
const at = (ms: number) => new Date(ms).toISOString();
/** 16 A on three phases at 230 V. */
const POWER_W = 16 * 3 * 230;

/** A request from h0 over as many whole hours as prices are given. */
function request(prices: number[], extra: Partial<PlanRequest> = {}): PlanRequest {
  return {
    now: new Date(h0), readyBy: new Date(h0 + prices.length * HOUR), energyWh: POWER_W, maxCurrentA: 16, phases: 3,
    prices: prices.map((pricePerKwhOre, i) => ({ startsAt: new Date(h0 + i * HOUR), pricePerKwhOre })), currency: 'SEK', ...extra,
  };
}

describe('planCharging', () => {
  it('charges in the cheapest hours at the full current, and prices the energy at each hour\'s price', () => {
    const plan = planCharging(request([50, 10, 40, 5, 30, 20], { energyWh: 2 * POWER_W }));
    expect(plan.periods).toEqual([
      { startsAt: at(h0 + HOUR), endsAt: at(h0 + 2 * HOUR), currentA: 16, energyWh: POWER_W, pricePerKwhOre: 10 },
      { startsAt: at(h0 + 3 * HOUR), endsAt: at(h0 + 4 * HOUR), currentA: 16, energyWh: POWER_W, pricePerKwhOre: 5 },
    ]);
    expect(plan.plannedEnergyWh).toBe(2 * POWER_W);
    // 11.04 kWh at 10 öre and 11.04 kWh at 5 öre: 165.6 öre.
    expect(plan.expectedCostOre).toBe(166);
    expect(plan).toMatchObject({ readyBy: new Date(h0 + 6 * HOUR), energyWh: 2 * POWER_W, currency: 'SEK' });
  });

  it('charges the last hour chosen only as long as needed, at the full current, from its start', () => {
    const energyWh = POWER_W + 3960;
    const plan = planCharging(request([40, 10, 30, 5], { energyWh }));
    // 3960 Wh at 11040 W: 1291.3 s, taken up to the whole second.
    expect(plan.periods).toEqual([
      { startsAt: at(h0 + HOUR), endsAt: at(h0 + HOUR + 1292_000), currentA: 16, energyWh: 3960, pricePerKwhOre: 10 },
      { startsAt: at(h0 + 3 * HOUR), endsAt: at(h0 + 4 * HOUR), currentA: 16, energyWh: POWER_W, pricePerKwhOre: 5 },
    ]);
    expect(plan.plannedEnergyWh).toBe(energyWh);
    expect(plan.expectedCostOre).toBe(Math.round((3960 * 10 + POWER_W * 5) / 1000));
  });

  it('ends the cut hour on the next chosen hour when that joins them, and merges adjacent hours at their average price', () => {
    const plan = planCharging(request([30, 20, 10, 40], { energyWh: POWER_W + POWER_W / 2 }));
    expect(plan.periods).toEqual([
      // Half of the 20-öre hour, then the 10-öre hour: (5520 × 20 + 11040 × 10) / 16560 = 13.33 öre.
      { startsAt: at(h0 + HOUR + HOUR / 2), endsAt: at(h0 + 3 * HOUR), currentA: 16, energyWh: POWER_W + POWER_W / 2, pricePerKwhOre: 13 },
    ]);
    expect(plan.expectedCostOre).toBe(221);
    const full = planCharging(request([10, 13, 50], { energyWh: 2 * POWER_W }));
    expect(full.periods).toEqual([{ startsAt: at(h0), endsAt: at(h0 + 2 * HOUR), currentA: 16, energyWh: 2 * POWER_W, pricePerKwhOre: 12 }]);
  });

  it('with too little time, uses every hour and plans less than asked (a partial first and last hour too)', () => {
    const now = h0 + HOUR / 2;
    const readyBy = h0 + 2 * HOUR + HOUR / 4;
    const plan = planCharging(request([20, 30, 10], { now: new Date(now), readyBy: new Date(readyBy), energyWh: 100_000 }));
    expect(plan.periods).toEqual([
      // (5520 × 20 + 11040 × 30 + 2760 × 10) / 19320 = 24.29 öre.
      { startsAt: at(now), endsAt: at(readyBy), currentA: 16, energyWh: POWER_W / 2 + POWER_W + POWER_W / 4, pricePerKwhOre: 24 },
    ]);
    expect(plan.plannedEnergyWh).toBe(POWER_W / 2 + POWER_W + POWER_W / 4);
    // 469.2 öre.
    expect(plan.expectedCostOre).toBe(469);
  });

  it('takes the earlier of hours at the same price', () => {
    const plan = planCharging(request([7, 9, 7, 7], { energyWh: 2 * POWER_W }));
    expect(plan.periods.map((period) => [period.startsAt, period.endsAt])).toEqual([[at(h0), at(h0 + HOUR)], [at(h0 + 2 * HOUR), at(h0 + 3 * HOUR)]]);
  });

  it('rounds the cost once, half up, not hour by hour', () => {
    // One phase at 10 A: 2300 W. 2300 Wh at 5 öre (11.5) and 100 Wh at 5 öre (0.5): 12, where hour by hour would be 12 + 1.
    const onePhase = { maxCurrentA: 10, phases: 1 as const };
    expect(planCharging(request([5, 5, 9], { ...onePhase, energyWh: 2400 })).expectedCostOre).toBe(12);
    expect(planCharging(request([5, 9], { ...onePhase, energyWh: 2300 })).expectedCostOre).toBe(12);
    expect(planCharging(request([9, 4], { ...onePhase, energyWh: 2300 })).expectedCostOre).toBe(9);
  });

  it('begins on a whole second when asked between two', () => {
    const now = h0 + 600_250;
    const plan = planCharging(request([5, 9], { now: new Date(now), energyWh: 1000 }));
    expect(plan.periods[0]!.startsAt).toBe(at(h0 + 601_000));
    // 1000 Wh at 11040 W: 326.1 s.
    expect(plan.periods[0]!.endsAt).toBe(at(h0 + 601_000 + 327_000));
  });

  it('refuses a session that may draw less than 6 A, and hours it was given no price for', () => {
    expect(() => planCharging(request([5], { maxCurrentA: 5.9 }))).toThrow(DomainError);
    expect(() => planCharging(request([5], { maxCurrentA: 5.9 }))).toThrow(/less than the 6 A/);
    expect(() => planCharging({ ...request([5, 6]), prices: [{ startsAt: new Date(h0), pricePerKwhOre: 5 }] })).toThrow(/No price for the hour/);
  });
});

describe('a plan over time', () => {
  const period = (from: number, to: number, currentA: number): PlanPeriod => ({ startsAt: at(from), endsAt: at(to), currentA, energyWh: 1, pricePerKwhOre: 1 });
  const periods = [period(h0 + HOUR, h0 + 2 * HOUR, 16), period(h0 + 3 * HOUR, h0 + 4 * HOUR, 16), period(h0 + 4 * HOUR, h0 + 5 * HOUR, 10), period(h0 + 5 * HOUR, h0 + 6 * HOUR, 10)];

  it('plannedCurrentAt: the current of the period the moment falls in (its start in, its end out), else 0', () => {
    expect(plannedCurrentAt(periods, new Date(h0))).toBe(0);
    expect(plannedCurrentAt(periods, new Date(h0 + HOUR - 1))).toBe(0);
    expect(plannedCurrentAt(periods, new Date(h0 + HOUR))).toBe(16);
    expect(plannedCurrentAt(periods, new Date(h0 + 2 * HOUR - 1))).toBe(16);
    expect(plannedCurrentAt(periods, new Date(h0 + 2 * HOUR))).toBe(0);
    expect(plannedCurrentAt(periods, new Date(h0 + 4 * HOUR))).toBe(10);
    expect(plannedCurrentAt(periods, new Date(h0 + 6 * HOUR))).toBe(0);
    expect(plannedCurrentAt([], new Date(h0))).toBe(0);
  });

  it('nextPlanChange: the first moment strictly after, at which the current changes; undefined after the last', () => {
    expect(nextPlanChange(periods, new Date(h0))).toEqual(new Date(h0 + HOUR));
    expect(nextPlanChange(periods, new Date(h0 + HOUR))).toEqual(new Date(h0 + 2 * HOUR));
    expect(nextPlanChange(periods, new Date(h0 + 2 * HOUR + 1))).toEqual(new Date(h0 + 3 * HOUR));
    expect(nextPlanChange(periods, new Date(h0 + 3 * HOUR))).toEqual(new Date(h0 + 4 * HOUR));
    // 10 A on both sides of 5 h: no change until the plan ends.
    expect(nextPlanChange(periods, new Date(h0 + 4 * HOUR))).toEqual(new Date(h0 + 6 * HOUR));
    expect(nextPlanChange(periods, new Date(h0 + 6 * HOUR))).toBeUndefined();
    expect(nextPlanChange([], new Date(h0))).toBeUndefined();
    expect(nextPlanChange([...periods].reverse(), new Date(h0))).toEqual(new Date(h0 + HOUR));
  });
});
