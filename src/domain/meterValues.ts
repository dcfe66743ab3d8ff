import type { Sample } from './chargingFacts.ts';

/** One sampled value as a charger reported it, its text fields already cleaned and bounded. */
export interface ReportedSample {
  /** The raw value text; '' when the charger sent none or something that is not text. */
  raw: string;
  context: string;
  format: string | null;
  measurand: string;
  phase: string | null;
  location: string | null;
  unit: string | null;
}

export interface ReportedMeterValue {
  sampledAt: Date;
  samples: ReportedSample[];
}

/** Factors from OCPP units to the base unit we store (Wh, W, var, VA, A, V, °C, %). */
const SCALE: Record<string, (value: number) => number> = {
  kWh: (v) => v * 1000,
  kvarh: (v) => v * 1000,
  kW: (v) => v * 1000,
  kVA: (v) => v * 1000,
  kvar: (v) => v * 1000,
  K: (v) => v - 273.15,
  Fahrenheit: (v) => ((v - 32) * 5) / 9,
};

/**
 * OCPP sends decimal text; Number() would also take "0x10", "Infinity" and blanks, which
 * no meter means.
 */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A sampled value in its base unit; null when the raw value is not a finite decimal number (SignedData, junk). */
export function normalizedValue(sample: Pick<ReportedSample, 'raw' | 'format' | 'unit'>): number | null {
  if (sample.format === 'SignedData' || !DECIMAL.test(sample.raw)) return null;
  const raw = Number(sample.raw);
  const scale = sample.unit ? SCALE[sample.unit] : undefined;
  const value = scale ? scale(raw) : raw;
  return Number.isFinite(value) ? value : null;
}

/** What a MeterValues says about a session: energy register (total, no phase), power, state of charge. */
export interface SessionReading {
  registerWh?: number;
  powerW?: number;
  socPercent?: number;
  sampledAt: Date;
}

/** The newest totals in a batch of meter values (per-phase values never count as the total). */
export function latestReading(meterValues: ReportedMeterValue[]): SessionReading | undefined {
  let reading: SessionReading | undefined;
  for (const meterValue of meterValues) {
    if (reading && meterValue.sampledAt < reading.sampledAt) continue;
    const next: SessionReading = { sampledAt: meterValue.sampledAt };
    for (const sample of meterValue.samples) {
      if (sample.phase) continue;
      const value = normalizedValue(sample);
      if (value === null) continue;
      // A register reading no meter can have is kept as data but never counts as the session's energy.
      if (sample.measurand === 'Energy.Active.Import.Register') {
        if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) next.registerWh = value;
      }
      else if (sample.measurand === 'Power.Active.Import') next.powerW = value;
      else if (sample.measurand === 'SoC') next.socPercent = value;
    }
    reading = { ...reading, ...next };
  }
  return reading;
}

/** Every sampled value as it is stored: normalised, with the raw value and unit kept. */
export function toSamples(meterValues: ReportedMeterValue[]): Sample[] {
  const samples: Sample[] = [];
  for (const meterValue of meterValues) {
    const at = meterValue.sampledAt.toISOString();
    for (const sample of meterValue.samples) {
      samples.push([at, sample.measurand, sample.phase, sample.location, sample.context, normalizedValue(sample), sample.raw, sample.unit]);
    }
  }
  return samples;
}
