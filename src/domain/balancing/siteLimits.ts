import type { SiteCapacity } from '../siteCapacity.ts';
import type { Amperes, Watts } from '../units.ts';
import { VOLTS_PER_PHASE, type SiteLimits } from './allocation.ts';

type Limits = Omit<SiteCapacity, 'chargePointId'>;

/** What the chargers may share per phase: the current limit less the reserve; null: no current limit. */
export function availableCurrent(capacity: Pick<Limits, 'maxCurrent' | 'reserveCurrent'>): Amperes | null {
  return capacity.maxCurrent === null ? null : capacity.maxCurrent - capacity.reserveCurrent;
}

/**
 * What a site's chargers may draw together, as the balancer shares it: its current and power
 * limits, each less the reserve for the site's other loads; null: no limit, so not balanced.
 */
export function chargerLimits(capacity: Limits): SiteLimits | null {
  if (capacity.maxCurrent === null && capacity.maxPower === null) return null;
  return {
    currentA: availableCurrent(capacity),
    powerW: capacity.maxPower === null ? null : capacity.maxPower - capacity.reserveCurrent * capacity.phases * VOLTS_PER_PHASE,
  };
}

/** The most the site's chargers may draw together in watts (the lesser of its two limits, for all its phases); null: no limit. */
export function siteLimit(capacity: Limits): Watts | null {
  const limits = chargerLimits(capacity);
  if (!limits) return null;
  const byCurrent = limits.currentA === null ? null : limits.currentA * capacity.phases * VOLTS_PER_PHASE;
  if (byCurrent === null || limits.powerW === null) return byCurrent ?? limits.powerW;
  return Math.min(byCurrent, limits.powerW);
}
