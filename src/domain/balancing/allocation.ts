import { MIN_CHARGING_CURRENT } from '../siteCapacity.ts';
import type { Amperes, Watts } from '../units.ts';

export const VOLTS_PER_PHASE = 230;

export type SitePhase = 'L1' | 'L2' | 'L3';
export const SITE_PHASES: readonly SitePhase[] = ['L1', 'L2', 'L3'];

/** What set a connector's limit. */
export type LimitReason =
  | 'charger' // its own maximum
  | 'demand' // the car draws less than it was given
  | 'plan' // its driver's charging plan
  | 'site' // the site's capacity, shared fairly
  | 'minimum' // it waits: the site cannot give it the minimum now
  | 'unsupported' // the balancer cannot limit it: counted at its maximum
  | 'offline' // its charger is away: counted at its last limit for a while
  | 'unanswered'; // its charger did not answer its last limit: counted at the most it may draw until it does

/** What the site's chargers may draw together (the reserve for other loads already taken off). */
export interface SiteLimits {
  /** Per phase; null: no current limit. */
  currentA: Amperes | null;
  /** null: no power limit. */
  powerW: Watts | null;
}

/** A running connector, as the allocation sees it. */
export interface ConnectorDemand {
  key: string;
  /** The site phases it draws on. */
  phases: readonly SitePhase[];
  /** Its share grows with its weight (the charger's priority, 1–10). */
  weight: number;
  /** When its session began (ms): when not every session can have the minimum, the earlier ones keep theirs. */
  since: number;
  /** The most it may be given: its charger's maximum, or less for its car's demand or its plan (0: it should not charge now). */
  capA: Amperes;
  capReason: 'charger' | 'demand' | 'plan';
  /** A draw the balancer cannot change now, counted as it is. */
  fixed?: { currentA: Amperes; reason: 'unsupported' | 'offline' | 'unanswered' };
}

export interface Allocation {
  key: string;
  currentA: Amperes;
  reason: LimitReason;
}

/** Limits are sent in tenths of an ampere, rounded down so the sum stays within the site. */
const STEP_A = 0.1;
const floorToStep = (amperes: number) => Math.floor(amperes / STEP_A + 1e-9) * STEP_A;
const EPSILON = 1e-9;

const wattsPerAmpere = (demand: ConnectorDemand) => demand.phases.length * VOLTS_PER_PHASE;

/** What is left of the site's capacity as connectors take theirs. */
class Headroom {
  readonly phase = new Map<SitePhase, number>();
  power: number;

  constructor(limits: SiteLimits) {
    for (const p of SITE_PHASES) this.phase.set(p, limits.currentA ?? Infinity);
    this.power = limits.powerW ?? Infinity;
  }

  take(demand: ConnectorDemand, amperes: number): void {
    for (const p of demand.phases) this.phase.set(p, this.phase.get(p)! - amperes);
    this.power -= amperes * wattsPerAmpere(demand);
  }

  fits(demand: ConnectorDemand, amperes: number): boolean {
    return demand.phases.every((p) => this.phase.get(p)! >= amperes - EPSILON) && this.power >= amperes * wattsPerAmpere(demand) - EPSILON;
  }
}

/**
 * Shares a site's capacity among its running connectors: weighted max-min fairness. Draws
 * the balancer cannot change are counted first. Then every other connector that may charge
 * gets the IEC 61851 minimum (6 A), in order of priority and then of arrival, while the site
 * has it for them; one that cannot get it is given 0 and waits rather than trip the fuse.
 * The rest is filled like water: every admitted connector's share rises with its weight
 * (share = weight × level, never below its minimum) until it reaches its cap — what its
 * charger, its car or its plan allows, the excess going to the others — or a phase or the
 * power limit it draws on is full. Pure; the same input always gives the same result.
 */
export function allocate(limits: SiteLimits, demands: readonly ConnectorDemand[]): Allocation[] {
  const headroom = new Headroom(limits);
  const result = new Map<string, Allocation>();
  for (const demand of demands) {
    if (demand.fixed) {
      headroom.take(demand, demand.fixed.currentA);
      result.set(demand.key, { key: demand.key, currentA: demand.fixed.currentA, reason: demand.fixed.reason });
    }
  }
  const flexible = demands.filter((d) => !d.fixed);
  const admitted: ConnectorDemand[] = [];
  const queue = [...flexible].sort((a, b) => b.weight - a.weight || a.since - b.since || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const demand of queue) {
    if (demand.capA < MIN_CHARGING_CURRENT) {
      result.set(demand.key, { key: demand.key, currentA: 0, reason: demand.capReason });
    } else if (headroom.fits(demand, MIN_CHARGING_CURRENT)) {
      headroom.take(demand, MIN_CHARGING_CURRENT);
      admitted.push(demand);
    } else {
      result.set(demand.key, { key: demand.key, currentA: 0, reason: 'minimum' });
    }
  }
  for (const [demand, currentA, full] of fill(headroom, admitted)) {
    const amperes = Math.max(MIN_CHARGING_CURRENT, floorToStep(currentA));
    const capped = amperes >= floorToStep(demand.capA);
    result.set(demand.key, { key: demand.key, currentA: amperes, reason: capped && !full ? demand.capReason : 'site' });
  }
  return demands.map((d) => result.get(d.key)!);
}

/**
 * Raises the admitted connectors from their minimum (already taken from `headroom`) by a
 * common level: each reaches clamp(weight × level, minimum, cap). Round by round, the level
 * rises until a phase or the power limit is full (found by bisection, as the shares are
 * piecewise linear in the level); the connectors on it stop there and the others go on.
 * Yields each connector with its current and whether the site (not its cap) stopped it.
 */
function fill(headroom: Headroom, admitted: readonly ConnectorDemand[]): [ConnectorDemand, number, boolean][] {
  const done: [ConnectorDemand, number, boolean][] = [];
  let rising = [...admitted];
  const share = (d: ConnectorDemand, level: number) => Math.min(d.capA, Math.max(MIN_CHARGING_CURRENT, d.weight * level));
  // The minimum is already counted in `headroom`; only what a share adds above it is taken.
  const extra = (level: number) => {
    const phase = new Map<SitePhase, number>(SITE_PHASES.map((p) => [p, 0]));
    let power = 0;
    for (const d of rising) {
      const added = share(d, level) - MIN_CHARGING_CURRENT;
      for (const p of d.phases) phase.set(p, phase.get(p)! + added);
      power += added * wattsPerAmpere(d);
    }
    return { phase, power };
  };
  const fits = (level: number) => {
    const { phase, power } = extra(level);
    return SITE_PHASES.every((p) => phase.get(p)! <= headroom.phase.get(p)! + EPSILON) && power <= headroom.power + EPSILON;
  };
  while (rising.length > 0) {
    const top = Math.max(...rising.map((d) => d.capA / d.weight));
    if (fits(top)) {
      for (const d of rising) done.push([d, d.capA, false]);
      break;
    }
    let low = 0;
    let high = top;
    for (let i = 0; i < 60; i += 1) {
      const mid = (low + high) / 2;
      if (fits(mid)) low = mid;
      else high = mid;
    }
    // The constraints that are full at `low`: the ones a little more would break.
    const { phase: at, power: powerAt } = extra(low);
    const { phase: beyond, power: powerBeyond } = extra(high);
    const fullPhases = SITE_PHASES.filter((p) => beyond.get(p)! > headroom.phase.get(p)! + EPSILON || at.get(p)! >= headroom.phase.get(p)! - 1e-6);
    const powerFull = powerBeyond > headroom.power + EPSILON || powerAt >= headroom.power - 1e-3;
    const found = rising.filter((d) => powerFull || d.phases.some((p) => fullPhases.includes(p)) || share(d, low) >= d.capA);
    // Rounding could leave no constraint seen as full; stopping everyone then still ends the loop within the site.
    const stopped = found.length > 0 ? found : rising;
    for (const d of stopped) {
      const amperes = share(d, low);
      const added = amperes - MIN_CHARGING_CURRENT;
      headroom.take(d, added);
      done.push([d, amperes, amperes < d.capA]);
    }
    rising = rising.filter((d) => !stopped.includes(d));
  }
  return done;
}
