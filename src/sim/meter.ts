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

/**
 * The energy meter of one connector and the car on it: while charging, energy = power × time,
 * the car's state of charge rises with it, and a full car draws nothing more. The register
 * keeps counting across sessions, as a real meter does.
 */
export class Meter {
  private energyWh: number;
  private soc = ARRIVAL_SOC_PERCENT;
  /** Time up to which energy has been counted; set only while charging. */
  private countedUntil: number | undefined;

  constructor(
    startWh: number,
    private readonly chargingPowerW: number,
    private readonly batteryWh: number,
  ) {
    this.energyWh = startWh;
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
    return { registerWh: Math.round(this.energyWh), powerW: Math.round(this.currentPowerW()), socPercent: Math.round(this.soc) };
  }

  private currentPowerW(): number {
    return this.countedUntil !== undefined && this.soc < 100 ? this.chargingPowerW : 0;
  }

  private advance(now: number): void {
    if (this.countedUntil === undefined) return;
    const untilFullWh = ((100 - this.soc) / 100) * this.batteryWh;
    const deltaWh = Math.min((this.currentPowerW() * Math.max(0, now - this.countedUntil)) / 3_600_000, untilFullWh);
    this.energyWh += deltaWh;
    this.soc = Math.min(100, this.soc + (deltaWh / this.batteryWh) * 100);
    this.countedUntil = now;
  }
}
