import type { Db } from '../../db/connection.ts';
import type { PriceLine } from '../../db/schema.ts';
import type { Ore, Wh } from '../units.ts';

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
  /** More energy than any vehicle takes in one session: a meter fault, left unbilled for a person to correct. */
  implausible?: true;
}

/** Far above the largest batteries (trucks, buses: about 1 MWh). */
const MAX_SESSION_WH = 5_000_000;

/** What pricing a finished session needs from the database. */
export interface PricingInput {
  sessionId: number;
  energyWh: Wh;
  meterStartWh: Wh | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  sitePriceOre: Ore;
  feeOre: Ore;
  /** The session's energy register readings (total, no phase), oldest first. */
  readings: RegisterPoint[];
}

/** The hours a session's energy falls into, each with its energy in whole Wh. */
function energyByHour(input: PricingInput): Map<number, Wh> {
  const total = input.energyWh;
  const stoppedAt = (input.stoppedAt ?? new Date()).getTime();
  const startedAt = (input.startedAt ?? input.stoppedAt ?? new Date()).getTime();
  const start = input.meterStartWh ?? 0;
  // A reading outside the session's own start and stop registers is a meter glitch: it
  // shapes the hours but cannot add energy, so the hours always sum to the session's.
  const points: RegisterPoint[] = [
    { at: startedAt, wh: start },
    ...input.readings
      .filter((reading) => reading.at > startedAt && reading.at < stoppedAt)
      .map((reading) => ({ at: reading.at, wh: Math.min(Math.max(reading.wh, start), start + total) })),
    { at: stoppedAt, wh: start + total },
  ];
  const perHour = roundToTotal(energyPerHour(points), total);
  if (perHour.size === 0) perHour.set(Math.floor(stoppedAt / HOUR_MS) * HOUR_MS, total);
  return perHour;
}

/** The hours (epoch ms) whose electricity tariff pricing `input` needs. */
export const hoursOf = (input: PricingInput): number[] => (input.energyWh > MAX_SESSION_WH ? [] : [...energyByHour(input).keys()]);

/**
 * The price of a finished session: per hour, that hour's energy times (the charge
 * point's price per kWh + that hour's electricity tariff, when there is one), plus the
 * charge point's fee when the session delivered energy.
 */
export function priceOf(input: PricingInput, tariffByHour: ReadonlyMap<number, Ore>): SessionPrice {
  if (input.energyWh > MAX_SESSION_WH) return { totalOre: 0, lines: [], implausible: true };
  const perHour = energyByHour(input);
  const lines: PriceLine[] = [...perHour.keys()].sort((a, b) => a - b).map((hour) => {
    const pricePerKwhOre = input.sitePriceOre + (tariffByHour.get(hour) ?? 0);
    const energyWh = perHour.get(hour)!;
    return { hour: new Date(hour).toISOString(), energyWh, pricePerKwhOre, amountOre: amountFor(energyWh, pricePerKwhOre) };
  });
  // The fee is for charging; a session that delivered nothing owes none.
  if (input.feeOre && input.energyWh > 0) {
    lines.push({ kind: 'fee', hour: new Date((input.startedAt ?? input.stoppedAt ?? new Date()).getTime()).toISOString(), energyWh: 0, pricePerKwhOre: 0, amountOre: input.feeOre });
  }
  return { totalOre: lines.reduce((sum, line) => sum + line.amountOre, 0), lines };
}

/** Completed sessions still without a price, with their readings: two queries for any number of sessions. */
export async function loadUnpriced(db: Db, sessionIds: number[]): Promise<PricingInput[]> {
  const sessions = await db
    .selectFrom('charging_sessions')
    .leftJoin('chargers', 'chargers.id', 'charging_sessions.charger_id')
    .leftJoin('charge_points', 'charge_points.id', 'chargers.charge_point_id')
    .select([
      'charging_sessions.id', 'charging_sessions.meter_start_wh', 'charging_sessions.energy_wh', 'charging_sessions.started_at',
      'charging_sessions.stopped_at', 'charge_points.price_per_kwh_ore as site_price', 'charge_points.session_fee_ore as fee',
    ])
    .where('charging_sessions.id', 'in', sessionIds)
    .where('charging_sessions.status', '=', 'Completed')
    .where('charging_sessions.price_ore', 'is', null)
    .execute();
  if (sessions.length === 0) return [];
  const readings = await db
    .selectFrom('meter_values')
    .select(['session_id', 'sampled_at', 'value'])
    .where('session_id', 'in', sessions.map((session) => session.id))
    .where('measurand', '=', 'Energy.Active.Import.Register')
    .where('phase', 'is', null)
    .where('value', 'is not', null)
    .orderBy('session_id')
    .orderBy('sampled_at')
    .execute();
  const readingsOf = new Map<number, RegisterPoint[]>();
  for (const reading of readings) {
    const list = readingsOf.get(reading.session_id!) ?? [];
    list.push({ at: reading.sampled_at.getTime(), wh: reading.value! });
    readingsOf.set(reading.session_id!, list);
  }
  return sessions.map((session) => ({
    sessionId: session.id,
    energyWh: session.energy_wh,
    meterStartWh: session.meter_start_wh,
    startedAt: session.started_at,
    stoppedAt: session.stopped_at,
    sitePriceOre: session.site_price ?? 0,
    feeOre: session.fee ?? 0,
    readings: readingsOf.get(session.id) ?? [],
  }));
}

/** Electricity tariffs of these hours (epoch ms), by hour. */
export async function loadTariffs(db: Db, hours: number[]): Promise<Map<number, Ore>> {
  if (hours.length === 0) return new Map();
  const tariffs = await db
    .selectFrom('electricity_tariffs')
    .select(['starts_at', 'price_per_kwh_ore'])
    .where('starts_at', 'in', [...new Set(hours)].map((hour) => new Date(hour)))
    .execute();
  return new Map(tariffs.map((tariff) => [tariff.starts_at.getTime(), tariff.price_per_kwh_ore]));
}
