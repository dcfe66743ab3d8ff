import type { Db } from '../db/connection.ts';
import type { ChargerId, ConnectorId } from './units.ts';

export interface SampledValue {
  value: string;
  context?: string;
  format?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unit?: string;
}

export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
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

/** A sampled value in its base unit; null when the raw value is not a number (SignedData). */
export function normalizedValue(sample: SampledValue): number | null {
  if (sample.format === 'SignedData') return null;
  const raw = Number(sample.value);
  if (!Number.isFinite(raw) || sample.value.trim() === '') return null;
  const scale = sample.unit ? SCALE[sample.unit] : undefined;
  return scale ? scale(raw) : raw;
}

/** What a MeterValues says about a session: energy register (total, no phase), power, state of charge. */
export interface SessionReading {
  registerWh?: number;
  powerW?: number;
  socPercent?: number;
  sampledAt: Date;
}

/** The newest totals in a batch of meter values (per-phase values never count as the total). */
export function latestReading(meterValues: MeterValue[]): SessionReading | undefined {
  let reading: SessionReading | undefined;
  for (const meterValue of meterValues) {
    const sampledAt = new Date(meterValue.timestamp);
    if (Number.isNaN(sampledAt.getTime())) continue;
    if (reading && sampledAt < reading.sampledAt) continue;
    const next: SessionReading = { sampledAt };
    for (const sample of meterValue.sampledValue ?? []) {
      if (sample.phase) continue;
      const value = normalizedValue(sample);
      if (value === null) continue;
      const measurand = sample.measurand ?? 'Energy.Active.Import.Register';
      if (measurand === 'Energy.Active.Import.Register') next.registerWh = value;
      else if (measurand === 'Power.Active.Import') next.powerW = value;
      else if (measurand === 'SoC') next.socPercent = value;
    }
    reading = { ...reading, ...next };
  }
  return reading;
}

/** Stores every sampled value, normalised and raw, in one multi-row insert. */
export async function storeMeterValues(
  db: Db,
  target: { chargerId: ChargerId; connectorId: ConnectorId; sessionId: number | null },
  meterValues: MeterValue[],
): Promise<number> {
  const rows = meterValues.flatMap((meterValue) => {
    const sampledAt = new Date(meterValue.timestamp);
    if (Number.isNaN(sampledAt.getTime())) return [];
    return (meterValue.sampledValue ?? []).map((sample) => ({
      session_id: target.sessionId,
      charger_id: target.chargerId,
      connector_id: target.connectorId,
      sampled_at: sampledAt,
      measurand: sample.measurand ?? 'Energy.Active.Import.Register',
      phase: sample.phase ?? null,
      location: sample.location ?? null,
      context: sample.context ?? 'Sample.Periodic',
      value: normalizedValue(sample),
      raw_value: sample.value,
      raw_unit: sample.unit ?? null,
    }));
  });
  if (rows.length) await db.insertInto('meter_values').values(rows).execute();
  return rows.length;
}
