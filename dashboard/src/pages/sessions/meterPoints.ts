import type { MeterValue } from './types.ts';

/** A moment of a session's charge: its energy so far (Wh) and power (W), either unknown. */
export interface MeterPoint {
  /** Milliseconds since the epoch. */
  at: number;
  energyWh: number | null;
  powerW: number | null;
}

const ENERGY = 'Energy.Active.Import.Register';
const POWER = 'Power.Active.Import';

/** OCPP's default units are Wh and W; chargers may report kWh or kW instead. */
const base = (value: number, unit: string | null) => (unit?.toLowerCase().startsWith('k') ? value * 1000 : value);

interface Sum { total: number | null; phases: number; phaseCount: number }
const empty = (): Sum => ({ total: null, phases: 0, phaseCount: 0 });
/** The value without a phase when the charger sent one; the sum of its phases otherwise. */
const valueOf = (sum: Sum) => sum.total ?? (sum.phaseCount ? sum.phases : null);

/**
 * The energy and power of a session's stored readings, by time. The energy register counts from
 * the meter's installation; the session's energy is its rise since the start (`meterStartWh`, or
 * the first reading when the start is unknown).
 */
export function meterPoints(values: MeterValue[], meterStartWh: number | null): MeterPoint[] {
  const byTime = new Map<number, { energy: Sum; power: Sum }>();
  for (const reading of values) {
    if (reading.value === null || (reading.measurand !== ENERGY && reading.measurand !== POWER)) continue;
    const at = new Date(reading.at).getTime();
    let moment = byTime.get(at);
    if (!moment) byTime.set(at, (moment = { energy: empty(), power: empty() }));
    const sum = reading.measurand === ENERGY ? moment.energy : moment.power;
    const value = base(reading.value, reading.unit);
    if (reading.phase === null) sum.total = value;
    else {
      sum.phases += value;
      sum.phaseCount++;
    }
  }
  const moments = [...byTime.entries()].sort(([a], [b]) => a - b);
  let start = meterStartWh;
  return moments.map(([at, { energy, power }]) => {
    const register = valueOf(energy);
    if (register !== null) start ??= register;
    return { at, energyWh: register === null || start === null ? null : Math.max(0, register - start), powerW: valueOf(power) };
  });
}
