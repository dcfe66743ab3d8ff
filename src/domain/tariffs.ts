import type { Db } from '../db/connection.ts';
import { DomainError } from './errors.ts';
import type { Ore } from './units.ts';

const HOUR_MS = 3_600_000;

export interface Tariff {
  startsAt: Date;
  pricePerKwhOre: Ore;
  currency: string;
}

const startOfHour = (date: Date) => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);

/** Hourly electricity prices in [from, to), oldest first. */
export async function listTariffs(db: Db, from: Date, to: Date): Promise<Tariff[]> {
  const rows = await db
    .selectFrom('electricity_tariffs')
    .selectAll()
    .where('starts_at', '>=', startOfHour(from))
    .where('starts_at', '<', to)
    .orderBy('starts_at')
    .execute();
  return rows.map((row) => ({ startsAt: row.starts_at, pricePerKwhOre: row.price_per_kwh_ore, currency: row.currency }));
}

/** Inserts or replaces hourly prices (each `startsAt` must be a whole UTC hour). */
export async function upsertTariffs(db: Db, tariffs: Tariff[]): Promise<number> {
  for (const tariff of tariffs) {
    if (tariff.startsAt.getTime() % HOUR_MS !== 0) throw new DomainError('invalid', ['invalidTimestamp'], `${tariff.startsAt.toISOString()} is not the start of an hour`);
    if (!Number.isInteger(tariff.pricePerKwhOre) || tariff.pricePerKwhOre < 0) throw new DomainError('invalid', ['invalidPrice'], 'Prices are whole öre, not negative');
  }
  for (let i = 0; i < tariffs.length; i += 1000) {
    await db
      .insertInto('electricity_tariffs')
      .values(tariffs.slice(i, i + 1000).map((t) => ({ starts_at: t.startsAt, price_per_kwh_ore: t.pricePerKwhOre, currency: t.currency })))
      .onConflict((conflict) => conflict.column('starts_at').doUpdateSet((eb) => ({ price_per_kwh_ore: eb.ref('excluded.price_per_kwh_ore'), currency: eb.ref('excluded.currency') })))
      .execute();
  }
  return tariffs.length;
}

/** One price for every hour of [from, to). */
export function tariffRange(from: Date, to: Date, pricePerKwhOre: Ore, currency = 'SEK'): Tariff[] {
  const tariffs: Tariff[] = [];
  for (let t = startOfHour(from).getTime(); t < to.getTime(); t += HOUR_MS) tariffs.push({ startsAt: new Date(t), pricePerKwhOre, currency });
  if (tariffs.length > 24 * 366 * 2) throw new DomainError('invalid', ['invalidRange'], 'A range covers at most two years');
  return tariffs;
}

export async function deleteTariffs(db: Db, from: Date, to: Date): Promise<number> {
  const result = await db.deleteFrom('electricity_tariffs').where('starts_at', '>=', startOfHour(from)).where('starts_at', '<', to).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Reads a CSV of hourly prices: a header, then `start,price` per line, where `start` is an
 * ISO timestamp (the hour) and `price` is SEK per kWh (e.g. `0.8734`, comma or point), or
 * öre with a `price_ore` header. Prices become whole öre, rounded half up.
 */
export function parseTariffCsv(csv: string): Tariff[] {
  const lines = csv.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const header = lines.length ? cells(lines.shift()!.toLowerCase()) : [];
  const inOre = header[1] === 'price_ore';
  if (!header[0].startsWith('start') || !(inOre || header[1] === 'price_sek_per_kwh' || header[1] === 'price')) {
    throw new DomainError('invalid', ['invalidCsv'], 'The first line must be "start,price_sek_per_kwh" (or "start,price_ore")');
  }
  return lines.map((line, index) => {
    const [start = '', rawPrice = ''] = cells(line);
    const startsAt = new Date(start);
    const price = Number(rawPrice.replace(',', '.'));
    if (Number.isNaN(startsAt.getTime()) || !Number.isFinite(price) || price < 0) {
      throw new DomainError('invalid', ['invalidCsv'], `Line ${index + 2}: "${line}" is not "start,price"`);
    }
    // toFixed first: 1.005 × 100 is 100.4999… in binary, and should round to 101.
    const ore = Number((inOre ? price : price * 100).toFixed(6));
    return { startsAt, pricePerKwhOre: Math.floor(ore + 0.5), currency: 'SEK' };
  });
}

/** `start;price` or `start,price` — a timestamp has no comma, so a decimal comma in the price is fine. */
function cells(line: string): [string, string] {
  const separator = line.includes(';') ? ';' : ',';
  const at = line.indexOf(separator);
  return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
}
