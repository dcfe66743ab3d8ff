import type { Db } from '../db/connection.ts';
import type { PriceLine } from '../db/schema.ts';
import type { Ore, Wh } from './units.ts';

const HOUR_MS = 3_600_000;
/**
 * Readings further apart than this are not spread hour by hour: a charger clock off by
 * years would otherwise make millions of hours. Their energy counts in the later hour.
 */
const MAX_SPREAD_MS = 31 * 24 * HOUR_MS;

interface RegisterPoint {
  at: number;
  wh: number;
}

/**
 * Spreads the energy between consecutive register readings over the hours they span
 * (linearly within a reading interval), so a session across an hour boundary pays each
 * hour's price for that hour's energy.
 */
export function energyPerHour(points: RegisterPoint[]): Map<number, number> {
  const perHour = new Map<number, number>();
  const add = (hour: number, wh: number) => perHour.set(hour, (perHour.get(hour) ?? 0) + wh);
  let highest = points[0]?.wh ?? 0;
  for (let i = 1; i < points.length; i++) {
    const from = points[i - 1]!;
    const to = points[i]!;
    // Registers only count up; a lower reading (a meter glitch) adds nothing.
    const energy = Math.max(0, to.wh - highest);
    highest = Math.max(highest, to.wh);
    if (energy === 0) continue;
    if (to.at <= from.at || to.at - from.at > MAX_SPREAD_MS) {
      add(Math.floor(to.at / HOUR_MS) * HOUR_MS, energy);
      continue;
    }
    for (let start = from.at; start < to.at;) {
      const hour = Math.floor(start / HOUR_MS) * HOUR_MS;
      const end = Math.min(to.at, hour + HOUR_MS);
      add(hour, (energy * (end - start)) / (to.at - from.at));
      start = end;
    }
  }
  return perHour;
}

/** Whole Wh per hour that add up exactly to `total` (largest remainders get the rounding). */
export function roundToTotal(perHour: Map<number, number>, total: Wh): Map<number, Wh> {
  const hours = [...perHour.keys()].sort((a, b) => a - b);
  const floors = new Map(hours.map((hour) => [hour, Math.floor(perHour.get(hour)!)]));
  let missing = total - [...floors.values()].reduce((sum, wh) => sum + wh, 0);
  const byRemainder = [...hours].sort((a, b) => (perHour.get(b)! % 1) - (perHour.get(a)! % 1) || a - b);
  for (let i = 0; missing > 0 && byRemainder.length; i = (i + 1) % byRemainder.length, missing--) {
    const hour = byRemainder[i]!;
    floors.set(hour, floors.get(hour)! + 1);
  }
  return floors;
}

/** Öre for `energy` Wh at `pricePerKwh` öre: rounded half up to the whole öre, per hour. */
export const amountFor = (energy: Wh, pricePerKwh: Ore): Ore => Math.floor((energy * pricePerKwh) / 1000 + 0.5);

export interface SessionPrice {
  totalOre: Ore;
  lines: PriceLine[];
}

/**
 * The price of a finished session: per hour, that hour's energy times (the charge
 * point's price per kWh + that hour's electricity tariff, when there is one).
 */
export async function priceSession(db: Db, sessionId: number): Promise<SessionPrice> {
  const session = await db
    .selectFrom('charging_sessions')
    .leftJoin('chargers', 'chargers.id', 'charging_sessions.charger_id')
    .leftJoin('charge_points', 'charge_points.id', 'chargers.charge_point_id')
    .select([
      'charging_sessions.meter_start_wh', 'charging_sessions.meter_stop_wh', 'charging_sessions.energy_wh',
      'charging_sessions.started_at', 'charging_sessions.stopped_at', 'charge_points.price_per_kwh_ore as site_price',
      'charge_points.session_fee_ore as fee',
    ])
    .where('charging_sessions.id', '=', sessionId)
    .executeTakeFirstOrThrow();
  const total = session.energy_wh;
  const stoppedAt = (session.stopped_at ?? new Date()).getTime();
  const startedAt = (session.started_at ?? session.stopped_at ?? new Date()).getTime();
  const start = session.meter_start_wh ?? 0;
  const samples = await db
    .selectFrom('meter_values')
    .select(['sampled_at', 'value'])
    .where('session_id', '=', sessionId)
    .where('measurand', '=', 'Energy.Active.Import.Register')
    .where('phase', 'is', null)
    .where('value', 'is not', null)
    .orderBy('sampled_at')
    .execute();
  const points: RegisterPoint[] = [
    { at: startedAt, wh: start },
    ...samples.filter((s) => s.sampled_at.getTime() > startedAt && s.sampled_at.getTime() < stoppedAt).map((s) => ({ at: s.sampled_at.getTime(), wh: s.value! })),
    { at: stoppedAt, wh: start + total },
  ];
  const perHour = roundToTotal(energyPerHour(points), total);
  if (perHour.size === 0) perHour.set(Math.floor(stoppedAt / HOUR_MS) * HOUR_MS, total);

  const hours = [...perHour.keys()].sort((a, b) => a - b);
  const tariffs = await db
    .selectFrom('electricity_tariffs')
    .select(['starts_at', 'price_per_kwh_ore'])
    .where('starts_at', 'in', hours.map((hour) => new Date(hour)))
    .execute();
  const tariffByHour = new Map(tariffs.map((tariff) => [tariff.starts_at.getTime(), tariff.price_per_kwh_ore]));
  const lines: PriceLine[] = hours.map((hour) => {
    const pricePerKwhOre = (session.site_price ?? 0) + (tariffByHour.get(hour) ?? 0);
    const energyWh = perHour.get(hour)!;
    return { hour: new Date(hour).toISOString(), energyWh, pricePerKwhOre, amountOre: amountFor(energyWh, pricePerKwhOre) };
  });
  // The fee is for charging; a session that delivered nothing owes none.
  if (session.fee && total > 0) lines.push({ kind: 'fee', hour: new Date(startedAt).toISOString(), energyWh: 0, pricePerKwhOre: 0, amountOre: session.fee });
  return { totalOre: lines.reduce((sum, line) => sum + line.amountOre, 0), lines };
}
