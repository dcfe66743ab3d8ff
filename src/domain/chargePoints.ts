import type { Db } from '../db/connection.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { ChargePointRow } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import type { ChargePointId, Location, Ore } from './units.ts';

export type ChargePoint = ChargePointRow;

export interface ChargePointInput {
  name: string;
  address: string;
  location: Location;
  pricePerKwh: Ore;
  reservationAmount: Ore;
  sessionFee?: Ore;
}

const nameTaken = () => new DomainError('invalid', ['dbUniqueConstraintError'], 'A charge point with this name already exists');

export function listChargePoints(db: Db): Promise<ChargePoint[]> {
  return db.selectFrom('charge_points').selectAll().orderBy('id').execute();
}

export async function getChargePoint(db: Db, id: ChargePointId): Promise<ChargePoint> {
  const row = await db.selectFrom('charge_points').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Charge point ${id}`);
  return row;
}

export async function createChargePoint(db: Db, input: ChargePointInput): Promise<ChargePoint> {
  try {
    return await db
      .insertInto('charge_points')
      .values({
        name: input.name,
        address: input.address,
        latitude: input.location.latitude,
        longitude: input.location.longitude,
        price_per_kwh_ore: input.pricePerKwh,
        reservation_amount_ore: input.reservationAmount,
        session_fee_ore: input.sessionFee ?? 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

export async function updateChargePoint(db: Db, id: ChargePointId, changes: Partial<ChargePointInput>): Promise<ChargePoint> {
  try {
    const row = await db
      .updateTable('charge_points')
      .set({
        name: changes.name,
        address: changes.address,
        latitude: changes.location?.latitude,
        longitude: changes.location?.longitude,
        price_per_kwh_ore: changes.pricePerKwh,
        reservation_amount_ore: changes.reservationAmount,
        session_fee_ore: changes.sessionFee,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound(`Charge point ${id}`);
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/** Deletes the site and, with it, its chargers; their sessions stay for billing. */
export async function deleteChargePoint(db: Db, id: ChargePointId): Promise<void> {
  const result = await db.deleteFrom('charge_points').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound(`Charge point ${id}`);
}
