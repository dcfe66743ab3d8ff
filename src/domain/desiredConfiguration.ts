import type { Db } from '../db/connection.ts';
import { isForeignKeyViolation } from '../db/errors.ts';
import { notFound } from './errors.ts';
import type { ChargePointId, ChargerId } from './units.ts';

/** Where a desired value is set: for all chargers of a charge point, or for one charger. */
export type DesiredLevel = { chargePointId: ChargePointId } | { chargerId: ChargerId };

export interface DesiredKey {
  key: string;
  value: string;
  updatedAt: Date;
}

/** A key a charger should hold, and where that comes from (its own setting wins over its charge point's). */
export interface EffectiveDesiredKey {
  key: string;
  value: string;
  source: 'charger' | 'chargePoint';
}

const levelColumn = (level: DesiredLevel) => ('chargerId' in level ? 'charger_id' : 'charge_point_id') as 'charger_id' | 'charge_point_id';
const levelId = (level: DesiredLevel) => ('chargerId' in level ? level.chargerId : level.chargePointId);
const describe = (level: DesiredLevel) => ('chargerId' in level ? `Charger ${level.chargerId}` : `Charge point ${level.chargePointId}`);

export async function listDesired(db: Db, level: DesiredLevel): Promise<DesiredKey[]> {
  const rows = await db.selectFrom('desired_configuration').select(['key', 'value', 'updated_at'])
    .where(levelColumn(level), '=', levelId(level)).orderBy('key').execute();
  return rows.map((row) => ({ key: row.key, value: row.value, updatedAt: row.updated_at }));
}

export async function setDesired(db: Db, level: DesiredLevel, key: string, value: string): Promise<DesiredKey> {
  const column = levelColumn(level);
  try {
    const row = await db.insertInto('desired_configuration')
      .values({ [column]: levelId(level), key, value })
      .onConflict((c) => c.columns([column, 'key']).doUpdateSet({ value, updated_at: new Date() }))
      .returning(['key', 'value', 'updated_at'])
      .executeTakeFirstOrThrow();
    return { key: row.key, value: row.value, updatedAt: row.updated_at };
  } catch (error) {
    throw isForeignKeyViolation(error) ? notFound(describe(level)) : error;
  }
}

/** Whether the key was set at that level. */
export async function removeDesired(db: Db, level: DesiredLevel, key: string): Promise<boolean> {
  const result = await db.deleteFrom('desired_configuration').where(levelColumn(level), '=', levelId(level)).where('key', '=', key).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** What the charger should hold: its own keys, and its charge point's where it has none of its own. */
export async function effectiveDesired(db: Db, chargerId: ChargerId): Promise<EffectiveDesiredKey[]> {
  const rows = await db.selectFrom('desired_configuration as d')
    .leftJoin('chargers as c', 'c.charge_point_id', 'd.charge_point_id')
    .select(['d.key', 'd.value', 'd.charger_id'])
    .where((eb) => eb.or([eb('d.charger_id', '=', chargerId), eb('c.id', '=', chargerId)]))
    .execute();
  const byKey = new Map<string, EffectiveDesiredKey>();
  for (const row of rows) {
    const source = row.charger_id === null ? 'chargePoint' : 'charger';
    if (source === 'chargePoint' && byKey.has(row.key)) continue;
    byKey.set(row.key, { key: row.key, value: row.value, source });
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The chargers online now that hold `key` from this level: all chargers of a charge point that do not set the key themselves. */
export async function onlineChargersFollowing(db: Db, level: DesiredLevel, key: string): Promise<ChargerId[]> {
  if ('chargerId' in level) {
    const row = await db.selectFrom('chargers').select('id').where('id', '=', level.chargerId).where('online', '=', true).executeTakeFirst();
    return row ? [row.id] : [];
  }
  const rows = await db.selectFrom('chargers').select('id')
    .where('charge_point_id', '=', level.chargePointId).where('online', '=', true)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('desired_configuration as own').select('own.id').whereRef('own.charger_id', '=', 'chargers.id').where('own.key', '=', key))))
    .orderBy('id').execute();
  return rows.map((row) => row.id);
}
