/**
 * The charging limit in force on a connector under the charging profiles a charger holds
 * (OCPP 1.6 §3.13): per purpose the valid profile with the highest stackLevel that has a
 * period at that moment; a TxProfile takes precedence over a TxDefaultProfile, and the
 * result is capped by the ChargePointMaxProfile. Pure: time is passed in, in ms.
 */

export type ProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';

export interface SchedulePeriod {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
}

export interface ChargingSchedule {
  duration?: number;
  startSchedule?: string;
  chargingRateUnit: 'A' | 'W';
  chargingSchedulePeriod: SchedulePeriod[];
  minChargingRate?: number;
}

/** `csChargingProfiles` of a SetChargingProfile, as sent. */
export interface ChargingProfile {
  chargingProfileId: number;
  transactionId?: number;
  stackLevel: number;
  chargingProfilePurpose: ProfilePurpose;
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  chargingSchedule: ChargingSchedule;
}

/** A profile as the charger holds it: for a connector (0 = the charge point), since when. */
export interface InstalledProfile {
  connectorId: number;
  profile: ChargingProfile;
  receivedAt: number;
}

/** The connector a limit is asked for, with its running transaction if any. */
export interface ConnectorState {
  connectorId: number;
  transactionId?: number;
  transactionStartedAt?: number;
}

/** One stretch of constant limit, from `start` (ms) until the next one. */
export interface LimitSegment {
  start: number;
  limitW: number;
}

export const VOLTS = 230;
export const DEFAULT_PHASES = 3;
const DAY_MS = 86_400_000;
const RECURRENCE_MS = { Daily: DAY_MS, Weekly: 7 * DAY_MS } as const;

/** A current limit in A turned into W: phases × 230 V × A. */
export const wattsOf = (unit: 'A' | 'W', limit: number, phases = DEFAULT_PHASES) => (unit === 'W' ? limit : limit * phases * VOLTS);

const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

function recurrenceMs(profile: ChargingProfile): number | undefined {
  return profile.chargingProfileKind === 'Recurring' ? RECURRENCE_MS[profile.recurrencyKind ?? 'Daily'] : undefined;
}

/** When the schedule's current run began: its start, the transaction's start, or the last recurrence. */
function scheduleStart(installed: InstalledProfile, state: ConnectorState, at: number): number {
  const { profile } = installed;
  const base = time(profile.chargingSchedule.startSchedule) ?? installed.receivedAt;
  if (profile.chargingProfileKind === 'Relative') return state.transactionStartedAt ?? at;
  const every = recurrenceMs(profile);
  return every === undefined ? base : base + Math.floor((at - base) / every) * every;
}

/** The profile's limit in W at `at`, or undefined when it is not valid or has no period then. */
export function profileLimitAt(installed: InstalledProfile, state: ConnectorState, at: number): number | undefined {
  const { profile } = installed;
  const validFrom = time(profile.validFrom);
  const validTo = time(profile.validTo);
  if ((validFrom !== undefined && at < validFrom) || (validTo !== undefined && at >= validTo)) return undefined;
  const schedule = profile.chargingSchedule;
  const elapsedS = (at - scheduleStart(installed, state, at)) / 1000;
  const every = recurrenceMs(profile);
  const durationS = Math.min(schedule.duration ?? Infinity, every === undefined ? Infinity : every / 1000);
  if (elapsedS < 0 || elapsedS >= durationS) return undefined;
  let current: SchedulePeriod | undefined;
  for (const period of schedule.chargingSchedulePeriod) if (period.startPeriod <= elapsedS && (!current || period.startPeriod >= current.startPeriod)) current = period;
  return current && wattsOf(schedule.chargingRateUnit, current.limit, current.numberPhases);
}

/** Among profiles of one purpose, the limit of the highest stackLevel that has one at `at`. */
function stacked(profiles: readonly InstalledProfile[], state: ConnectorState, at: number): number | undefined {
  const byLevel = [...profiles].sort((a, b) => b.profile.stackLevel - a.profile.stackLevel);
  for (const installed of byLevel) {
    const limit = profileLimitAt(installed, state, at);
    if (limit !== undefined) return limit;
  }
  return undefined;
}

function appliesToTransaction(installed: InstalledProfile, state: ConnectorState): boolean {
  const { transactionId } = installed.profile;
  return installed.connectorId === state.connectorId && state.transactionId !== undefined && (transactionId === undefined || transactionId === state.transactionId);
}

/**
 * The limit in W on the connector at `at`, at most `maxPowerW`. Connector 0 (the charge
 * point as a whole) is limited by the ChargePointMaxProfile only. A TxDefaultProfile for
 * the connector itself takes precedence over one for connector 0.
 */
export function limitAt(profiles: readonly InstalledProfile[], state: ConnectorState, at: number, maxPowerW: number): number {
  const of = (purpose: ProfilePurpose, connectorId: number) => profiles.filter((p) => p.profile.chargingProfilePurpose === purpose && p.connectorId === connectorId);
  const chargePointMax = stacked(of('ChargePointMaxProfile', 0), state, at) ?? Infinity;
  if (state.connectorId === 0) return Math.min(maxPowerW, chargePointMax);
  const tx = stacked(of('TxProfile', state.connectorId).filter((p) => appliesToTransaction(p, state)), state, at);
  const txDefault = stacked(of('TxDefaultProfile', state.connectorId), state, at) ?? stacked(of('TxDefaultProfile', 0), state, at);
  return Math.min(maxPowerW, tx ?? txDefault ?? Infinity, chargePointMax);
}

/** Every moment in (from, to) at which a profile's limit may change. */
function changes(profiles: readonly InstalledProfile[], state: ConnectorState, from: number, to: number): number[] {
  const moments: number[] = [];
  for (const installed of profiles) {
    const { profile } = installed;
    const schedule = profile.chargingSchedule;
    const runs: number[] = [];
    const every = recurrenceMs(profile);
    if (every === undefined) runs.push(scheduleStart(installed, state, from));
    else for (let run = scheduleStart(installed, state, from); run < to; run += every) runs.push(run);
    for (const run of runs) {
      for (const period of schedule.chargingSchedulePeriod) moments.push(run + period.startPeriod * 1000);
      if (schedule.duration !== undefined) moments.push(run + schedule.duration * 1000);
    }
    for (const bound of [time(profile.validFrom), time(profile.validTo)]) if (bound !== undefined) moments.push(bound);
  }
  return [...new Set(moments.filter((m) => m > from && m < to))].sort((a, b) => a - b);
}

/** The limit from `from` to `to` as stretches of constant limit; the first starts at `from`. */
export function limitSegments(profiles: readonly InstalledProfile[], state: ConnectorState, from: number, to: number, maxPowerW: number): LimitSegment[] {
  const segments: LimitSegment[] = [];
  for (const start of [from, ...changes(profiles, state, from, to)]) {
    const limitW = limitAt(profiles, state, start, maxPowerW);
    if (segments.at(-1)?.limitW !== limitW) segments.push({ start, limitW });
  }
  return segments;
}

/** The composite schedule of a GetCompositeSchedule answer: periods from `from`, over `durationS`. */
export function compositeSchedule(
  profiles: readonly InstalledProfile[],
  state: ConnectorState,
  from: number,
  durationS: number,
  unit: 'A' | 'W',
  maxPowerW: number,
): ChargingSchedule & { duration: number; startSchedule: string } {
  const periods: SchedulePeriod[] = [];
  for (const segment of limitSegments(profiles, state, from, from + durationS * 1000, maxPowerW)) {
    const startPeriod = Math.round((segment.start - from) / 1000);
    const period = unit === 'W'
      ? { startPeriod, limit: Math.round(segment.limitW) }
      : { startPeriod, limit: Math.floor(segment.limitW / (DEFAULT_PHASES * VOLTS) * 10) / 10, numberPhases: DEFAULT_PHASES };
    if (periods.at(-1)?.startPeriod === startPeriod) periods.pop();
    if (periods.at(-1)?.limit !== period.limit) periods.push(period);
  }
  return { duration: durationS, startSchedule: new Date(from).toISOString(), chargingRateUnit: unit, chargingSchedulePeriod: periods };
}
