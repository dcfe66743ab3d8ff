import type { MeterReading, SessionReadings } from './types.ts';

/** One moment of a session's chart: power in kW and session energy in kWh (null when not reported then). */
export interface ChartPoint {
  /** Seconds since the epoch. */
  t: number;
  powerKw: number | null;
  energyKwh: number | null;
}

const ENERGY = 'Energy.Active.Import.Register';
const POWER = 'Power.Active.Import';

const toWh = (r: MeterReading) => (r.value === null ? null : r.unit === 'kWh' ? r.value * 1000 : r.value);
const toW = (r: MeterReading) => (r.value === null ? null : r.unit === 'kW' ? r.value * 1000 : r.value);

/**
 * A stored session's readings as chart points. The register counts from the meter's start
 * (`meterStartWh`, or the first reading when the start is not known), as the live events' session
 * energy does; a power without a total is the sum of its phases.
 */
export function pointsOfSession(stored: SessionReadings): ChartPoint[] {
  const byTime = new Map<string, MeterReading[]>();
  for (const reading of stored.meterValues) {
    if (reading.measurand !== ENERGY && reading.measurand !== POWER) continue;
    const group = byTime.get(reading.at);
    if (group) group.push(reading);
    else byTime.set(reading.at, [reading]);
  }
  let startWh = stored.session.meterStartWh;
  const points: ChartPoint[] = [];
  for (const [at, readings] of byTime) {
    const register = readings.find((r) => r.measurand === ENERGY && r.phase === null);
    const registerWh = register ? toWh(register) : null;
    if (registerWh !== null) startWh ??= registerWh;
    const powers = readings.filter((r) => r.measurand === POWER);
    const total = powers.find((r) => r.phase === null);
    const phases = powers.map(toW).filter((w): w is number => w !== null);
    const powerW = total ? toW(total) : phases.length ? phases.reduce((sum, w) => sum + w, 0) : null;
    points.push({
      t: new Date(at).getTime() / 1000,
      powerKw: powerW === null ? null : powerW / 1000,
      energyKwh: registerWh === null || startWh === null ? null : (registerWh - startWh) / 1000,
    });
  }
  return points.sort((a, b) => a.t - b.t);
}
