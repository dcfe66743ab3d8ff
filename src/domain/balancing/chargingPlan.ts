import type { PlanPeriod } from '../../db/schema.ts';
import { DomainError } from '../errors.ts';
import { MIN_CHARGING_CURRENT } from '../siteCapacity.ts';
import type { Amperes, Ore, Watts, Wh } from '../units.ts';
import { VOLTS_PER_PHASE } from './allocation.ts';

const HOUR_MS = 3_600_000;
const SECOND_MS = 1000;

/** The full price of one hour: the site's price plus that hour's electricity tariff. */
export interface HourPrice {
  /** A whole UTC hour. */
  startsAt: Date;
  pricePerKwhOre: Ore;
}

/** A driver's "this much energy by then", with what the session may draw and what each hour costs. */
export interface PlanRequest {
  now: Date;
  readyBy: Date;
  energyWh: Wh;
  /** Per phase: the most the charger and its site allow this session. */
  maxCurrentA: Amperes;
  phases: 1 | 3;
  /** Every hour that [now, readyBy) touches. */
  prices: readonly HourPrice[];
  currency: string;
}

export interface ChargingPlan {
  readyBy: Date;
  energyWh: Wh;
  /** Oldest first; adjacent hours merged into one period. */
  periods: PlanPeriod[];
  /** Less than energyWh when there is too little time even at full current in every hour. */
  plannedEnergyWh: Wh;
  /** Σ energy × price of each hour, rounded once, half up. */
  expectedCostOre: Ore;
  currency: string;
}

interface Slot {
  start: number;
  end: number;
  pricePerKwhOre: Ore;
}

interface Chosen extends Slot {
  energyWh: Wh;
}

/**
 * Puts the energy into the cheapest hours before readyBy (of equal prices, the earlier), each
 * at the full current: a car charges badly at low currents, so the last hour chosen is cut
 * short instead of charged slower. That hour's stretch runs from its start, or up to its end
 * when that joins it to the next chosen hour and not otherwise to the one before: a car
 * stopped and started again less often. Periods begin and end on whole seconds, as an OCPP
 * charging schedule counts.
 */
export function planCharging(request: PlanRequest): ChargingPlan {
  if (request.maxCurrentA < MIN_CHARGING_CURRENT) {
    throw new DomainError('conflict', ['planNotPossible'], `The session may draw ${request.maxCurrentA} A per phase, less than the ${MIN_CHARGING_CURRENT} A a car charges with`);
  }
  const powerW: Watts = request.maxCurrentA * request.phases * VOLTS_PER_PHASE;
  const cheapestFirst = slotsOf(request).sort((a, b) => a.pricePerKwhOre - b.pricePerKwhOre || a.start - b.start);
  const chosen: Chosen[] = [];
  let remaining = request.energyWh;
  for (const slot of cheapestFirst) {
    if (remaining <= 0) break;
    const capacityWh = Math.floor((powerW * (slot.end - slot.start)) / HOUR_MS);
    if (capacityWh <= 0) continue;
    if (capacityWh < remaining) {
      chosen.push({ ...slot, energyWh: capacityWh });
      remaining -= capacityWh;
    } else {
      const neededMs = Math.min(slot.end - slot.start, Math.ceil((remaining * HOUR_MS) / powerW / SECOND_MS) * SECOND_MS);
      const joinsNext = chosen.some((other) => other.start === slot.end) && !chosen.some((other) => other.end === slot.start);
      const stretch = joinsNext ? { start: slot.end - neededMs, end: slot.end } : { start: slot.start, end: slot.start + neededMs };
      chosen.push({ ...slot, ...stretch, energyWh: remaining });
      remaining = 0;
    }
  }
  chosen.sort((a, b) => a.start - b.start);
  const costWhOre = chosen.reduce((sum, part) => sum + part.energyWh * part.pricePerKwhOre, 0);
  return {
    readyBy: request.readyBy,
    energyWh: request.energyWh,
    periods: merged(chosen, request.maxCurrentA),
    plannedEnergyWh: request.energyWh - remaining,
    expectedCostOre: Math.floor(costWhOre / 1000 + 0.5),
    currency: request.currency,
  };
}

/** [now, readyBy) cut at whole UTC hours, both ends taken inward to whole seconds. */
function slotsOf({ now, readyBy, prices }: PlanRequest): Slot[] {
  const priceAt = new Map(prices.map((price) => [price.startsAt.getTime(), price.pricePerKwhOre]));
  const slots: Slot[] = [];
  const end = Math.floor(readyBy.getTime() / SECOND_MS) * SECOND_MS;
  for (let start = Math.ceil(now.getTime() / SECOND_MS) * SECOND_MS; start < end;) {
    const hour = Math.floor(start / HOUR_MS) * HOUR_MS;
    const pricePerKwhOre = priceAt.get(hour);
    if (pricePerKwhOre === undefined) throw new Error(`No price for the hour ${new Date(hour).toISOString()}`);
    const slotEnd = Math.min(end, hour + HOUR_MS);
    slots.push({ start, end: slotEnd, pricePerKwhOre });
    start = slotEnd;
  }
  return slots;
}

/**
 * Adjacent stretches as one period, so that a charger's schedule stays within the few
 * periods it takes; its price is the average of its hours', weighted by their energy, to the öre.
 */
function merged(chosen: readonly Chosen[], currentA: Amperes): PlanPeriod[] {
  const runs: { start: number; end: number; energyWh: Wh; costWhOre: number }[] = [];
  for (const part of chosen) {
    const last = runs.at(-1);
    if (last && last.end === part.start) {
      last.end = part.end;
      last.energyWh += part.energyWh;
      last.costWhOre += part.energyWh * part.pricePerKwhOre;
    } else {
      runs.push({ start: part.start, end: part.end, energyWh: part.energyWh, costWhOre: part.energyWh * part.pricePerKwhOre });
    }
  }
  return runs.map((run) => ({
    startsAt: new Date(run.start).toISOString(),
    endsAt: new Date(run.end).toISOString(),
    currentA,
    energyWh: run.energyWh,
    pricePerKwhOre: Math.round(run.costWhOre / run.energyWh),
  }));
}

/** The plan's current per phase at `at`: the current of the period it falls in, else 0 (wait). */
export function plannedCurrentAt(periods: readonly PlanPeriod[], at: Date): Amperes {
  const t = at.getTime();
  const period = periods.find((candidate) => Date.parse(candidate.startsAt) <= t && t < Date.parse(candidate.endsAt));
  return period?.currentA ?? 0;
}

/** The first moment after `after` at which the plan's current changes; undefined when it never does again. */
export function nextPlanChange(periods: readonly PlanPeriod[], after: Date): Date | undefined {
  const boundaries = [...new Set(periods.flatMap((period) => [Date.parse(period.startsAt), Date.parse(period.endsAt)]))]
    .filter((t) => t > after.getTime())
    .sort((a, b) => a - b);
  // A boundary between two periods of the same current changes nothing.
  const change = boundaries.find((t) => plannedCurrentAt(periods, new Date(t)) !== plannedCurrentAt(periods, new Date(t - 1)));
  return change === undefined ? undefined : new Date(change);
}
