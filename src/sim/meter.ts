import type { LimitSegment } from './chargingLimit.ts';

/** Every simulated car arrives with this state of charge. */
const ARRIVAL_SOC_PERCENT = 20;

export interface MeterReading {
  /** Energy register, whole Wh. */
  registerWh: number;
  /** Power drawn right now, whole W. */
  powerW: number;
  /** State of charge of the connected car, whole percent. */
  socPercent: number;
}

/** The power limit between two moments (ms), as stretches of constant limit; the first starts at `from`. */
export type PowerLimits = (from: number, to: number) => LimitSegment[];

const NO_LIMIT: PowerLimits = (from) => [{ start: from, limitW: Infinity }];

/**
 * The energy meter of one connector and the car on it: while charging, energy = power × time,
 * where the power is the charger's own at most, lowered by the limit in force (charging
 * profiles); the car's state of charge rises with it, and a full car draws nothing more.
 * The register keeps counting across sessions, as a real meter does.
 */
export class Meter {
  private energyWh: number;
  private soc = ARRIVAL_SOC_PERCENT;
  /** Time up to which energy has been counted; set only while charging. */
  private countedUntil: number | undefined;
  private limits: PowerLimits = NO_LIMIT;

  constructor(
    startWh: number,
    private readonly chargingPowerW: number,
    private readonly batteryWh: number,
  ) {
    this.energyWh = startWh;
  }

  /**
   * From now on the power follows `limits`. Energy up to now is counted first: the caller
   * changes what `limits` answers (a new profile) only after calling this or `read`.
   */
  limitBy(limits: PowerLimits, now = Date.now()): void {
    this.advance(now);
    this.limits = limits;
  }

  /** A new car is plugged in and draws power from now on. */
  startCharging(now = Date.now()): void {
    this.soc = ARRIVAL_SOC_PERCENT;
    this.countedUntil = now;
  }

  stopCharging(now = Date.now()): void {
    this.advance(now);
    this.countedUntil = undefined;
  }

  read(now = Date.now()): MeterReading {
    this.advance(now);
    return { registerWh: Math.round(this.energyWh), powerW: Math.round(this.currentPowerW(now)), socPercent: Math.round(this.soc) };
  }

  private currentPowerW(now: number): number {
    if (this.countedUntil === undefined || this.soc >= 100) return 0;
    return this.powerUnder(this.limits(now, now + 1)[0]!.limitW);
  }

  private powerUnder(limitW: number): number {
    return Math.max(0, Math.min(this.chargingPowerW, limitW));
  }

  /** Counts the energy since the last count, stretch by stretch of constant limit. */
  private advance(now: number): void {
    if (this.countedUntil === undefined || now <= this.countedUntil) return;
    const segments = this.limits(this.countedUntil, now);
    segments.forEach((segment, i) => {
      const end = segments[i + 1]?.start ?? now;
      const untilFullWh = ((100 - this.soc) / 100) * this.batteryWh;
      const deltaWh = Math.min((this.powerUnder(segment.limitW) * (end - segment.start)) / 3_600_000, untilFullWh);
      this.energyWh += deltaWh;
      this.soc = Math.min(100, this.soc + (deltaWh / this.batteryWh) * 100);
    });
    this.countedUntil = now;
  }
}
