import type { PlanPeriod } from '../../db/schema.ts';
import type { Amperes } from '../units.ts';
import type { LimitStep } from './balancingProfile.ts';
import { nextPlanChange, plannedCurrentAt } from './chargingPlan.ts';

/**
 * A planned rise is given its capacity this long ahead, so the other sessions are lowered
 * before the charger raises its draw at the time its schedule says.
 */
export const PLAN_LOOKAHEAD_MS = 10_000;

/** What a plan lets its session have now: its current now or a little ahead (a rise gets its capacity before the charger's schedule takes it). */
export function planCap(periods: readonly PlanPeriod[], now: Date): Amperes {
  return Math.max(plannedCurrentAt(periods, now), plannedCurrentAt(periods, new Date(now.getTime() + PLAN_LOOKAHEAD_MS)));
}

/**
 * A planned session's schedule from now: its current limit, then at each change of its plan
 * the plan's current — within the allocation while the change is close enough for the
 * allocation to have counted it, else as planned (the balancer runs again before that rise
 * and sends the schedule anew, within what the site then has).
 */
export function planSteps(periods: readonly PlanPeriod[], allocatedA: Amperes, maxCurrentA: Amperes, now: Date): LimitStep[] {
  const steps: LimitStep[] = [{ startsAt: now, currentA: Math.min(allocatedA, plannedCurrentAt(periods, now)) }];
  for (let at = nextPlanChange(periods, now); at; at = nextPlanChange(periods, at)) {
    const ceiling = at.getTime() - now.getTime() <= PLAN_LOOKAHEAD_MS ? allocatedA : maxCurrentA;
    steps.push({ startsAt: at, currentA: Math.min(ceiling, plannedCurrentAt(periods, at)) });
  }
  return steps;
}

/** A schedule as text, to tell whether it changed since it was sent. */
export const scheduleText = (steps: readonly LimitStep[]) => steps.map((s) => `${s.startsAt.toISOString()}=${s.currentA}`).join(',');
