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
