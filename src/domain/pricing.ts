import type { Db } from '../db/connection.ts';
import type { ChargerId, Ore } from './units.ts';

const HOUR_MS = 3_600_000;

/** Price per kWh at a charger right now: its site's own price plus this hour's electricity tariff. */
export async function currentPricePerKwh(db: Db, chargerId: ChargerId, at = new Date()): Promise<Ore> {
  const hour = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  const row = await db
    .selectFrom('chargers')
    .leftJoin('charge_points', 'charge_points.id', 'chargers.charge_point_id')
    .leftJoin('electricity_tariffs', (join) => join.on('electricity_tariffs.starts_at', '=', hour))
    .select(['charge_points.price_per_kwh_ore as site', 'electricity_tariffs.price_per_kwh_ore as tariff'])
    .where('chargers.id', '=', chargerId)
    .executeTakeFirst();
  return (row?.site ?? 0) + (row?.tariff ?? 0);
}
