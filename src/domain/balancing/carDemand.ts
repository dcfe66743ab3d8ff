import { MIN_CHARGING_CURRENT } from '../siteCapacity.ts';
import type { Amperes, Watts } from '../units.ts';
import { VOLTS_PER_PHASE } from './allocation.ts';

/** A car is drawing "well below" its limit when it leaves at least this much of it unused… */
const UNUSED_A = 2;
/** …and at least this share of it. */
const UNUSED_SHARE = 0.2;
/** What a car keeps above its draw when its limit is lowered to it, so it can still rise a little. */
const HEADROOM_A = 2;
/** A car drawing within this of its lowered limit may want more: the limit is lifted. */
const NEAR_A = 1;
/** After a new limit, readings show the car settling to it, not what it wants. */
const SETTLE_MS = 10_000;

/** A connector's latest limit, as the balancer sent it. */
export interface GivenLimit {
  sessionId: number;
  currentA: Amperes;
  phases: number;
  sentAt: number;
}

/**
 * What each running car draws, learned from its readings: a car drawing well below its limit
 * (full battery, a slow on-board charger) has its limit lowered to its draw plus headroom, and
 * what it leaves goes to the others; once it draws close to that lowered limit, the lowering
 * is lifted and it competes for its full share again. Kept in memory by the node balancing
 * the site: a node that takes over starts without, which only costs a little sharing.
 */
export class CarDemand {
  readonly #caps = new Map<string, { sessionId: number; capA: Amperes }>();

  /** The limit the car's draw allows, if it was lowered. */
  capOf(key: string, sessionId: number): Amperes | undefined {
    const cap = this.#caps.get(key);
    return cap?.sessionId === sessionId ? cap.capA : undefined;
  }

  /** Takes a reading into account; true when the car's cap changed and the site should be balanced again. */
  observe(key: string, given: GivenLimit, powerW: Watts, now = Date.now()): boolean {
    if (now - given.sentAt < SETTLE_MS || given.currentA <= 0) return false;
    const drawnA = powerW / (given.phases * VOLTS_PER_PHASE);
    const cap = this.#caps.get(key);
    if (cap && cap.sessionId === given.sessionId) {
      if (drawnA < cap.capA - NEAR_A) return false;
      this.#caps.delete(key);
      return true;
    }
    const unused = given.currentA - drawnA;
    if (unused < UNUSED_A || unused < given.currentA * UNUSED_SHARE) return false;
    const capA = Math.max(MIN_CHARGING_CURRENT, Math.ceil(drawnA + HEADROOM_A));
    if (capA >= given.currentA) return false;
    this.#caps.set(key, { sessionId: given.sessionId, capA });
    return true;
  }

  /** Forgets connectors whose sessions ended. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.#caps.keys()) if (!keys.has(key)) this.#caps.delete(key);
  }
}
