import { sql } from 'kysely';
import type { Db } from './connection.ts';
import { SEED_CHARGE_POINTS, SEED_CHARGERS, SEED_RESERVATION_AMOUNT_ORE, sampleTariffs } from './seedData.ts';

const SEEDED_SETTING = 'seeded_at';
const DAY_MS = 86_400_000;
const TARIFF_BATCH = 1000;

/**
 * Fills an empty database with the original's sites and chargers and a year of sample
 * tariffs. Runs once per database (a marker row records it), so an operator's later
 * deletions are not undone on restart; a half-finished run is completed on the next.
 * Returns whether it seeded now.
 */
export async function seedDatabase(db: Db, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Nodes starting together on an empty database: one seeds, the others then find it seeded.
    await sql`lock table server_settings in exclusive mode`.execute(trx);
    const marker = await trx.selectFrom('server_settings').select('key').where('key', '=', SEEDED_SETTING).executeTakeFirst();
    if (marker) return false;

    await trx
      .insertInto('charge_points')
      .values(SEED_CHARGE_POINTS.map((site) => ({
        id: site.id,
        name: site.name,
        address: site.address,
        latitude: site.latitude,
        longitude: site.longitude,
        price_per_kwh_ore: site.pricePerKwhOre,
        reservation_amount_ore: SEED_RESERVATION_AMOUNT_ORE,
      })))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    await sql`select setval(pg_get_serial_sequence('charge_points', 'id'), (select max(id) from charge_points))`.execute(trx);

    const siteById = new Map(SEED_CHARGE_POINTS.map((site) => [site.id, site]));
    await trx
      .insertInto('chargers')
      .values(SEED_CHARGERS.map((charger) => {
        const site = siteById.get(charger.chargePointId)!;
        return {
          id: charger.id,
          serial_number: charger.serialNumber,
          charge_point_id: charger.chargePointId,
          latitude: site.latitude,
          longitude: site.longitude,
          status: 'Available',
          dialect: 'flexicharge',
        };
      }))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    await sql`select setval('chargers_id_seq', (select max(id) from chargers))`.execute(trx);

    const tariffs = sampleTariffs(new Date(now.getTime() - 30 * DAY_MS), new Date(now.getTime() + 400 * DAY_MS));
    for (let i = 0; i < tariffs.length; i += TARIFF_BATCH) {
      await trx
        .insertInto('electricity_tariffs')
        .values(tariffs.slice(i, i + TARIFF_BATCH).map((tariff) => ({ starts_at: tariff.startsAt, price_per_kwh_ore: tariff.priceOre })))
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }

    await trx.insertInto('server_settings').values({ key: SEEDED_SETTING, value: now.toISOString() }).execute();
    return true;
  });
}
