import type { Db } from '../db/connection.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.ts';
import type { ChargerRow, RegistrationStatus } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { ChargePointId, ChargerId, ChargerStatus, Location } from './units.ts';

/** A charger placed at a charge point: what the apps see. */
export type Charger = ChargerRow & { charge_point_id: number; latitude: number; longitude: number };

export interface NewChargerInput {
  serialNumber: string;
  chargePointId: ChargePointId;
  location: Location;
}

export interface ChargerChanges {
  serialNumber?: string;
  chargePointId?: ChargePointId;
  location?: Location;
  status?: ChargerStatus;
  /** OCPP security profile 1 password; null removes it. */
  password?: string | null;
  registrationStatus?: RegistrationStatus;
  /** OCPP security profile 0–3; only ever raised (OCPP 1.6 Security Whitepaper). */
  securityProfile?: number;
}

function translateWriteError(error: unknown): unknown {
  if (isUniqueViolation(error)) return new DomainError('invalid', ['dbUniqueConstraintError'], 'A charger with this serial number already exists');
  if (isForeignKeyViolation(error)) return new DomainError('invalid', ['dbForeignKeyConstraintError'], 'The charge point does not exist');
  return error;
}

// Chargers that registered themselves and have no charge point yet are not shown.
const placedChargers = (db: Db) => db.selectFrom('chargers').selectAll().where('charge_point_id', 'is not', null);

export async function listChargers(db: Db, filter: { status?: ChargerStatus } = {}): Promise<Charger[]> {
  let query = placedChargers(db).orderBy('id');
  if (filter.status) query = query.where('status', '=', filter.status);
  return (await query.execute()) as Charger[];
}

export async function getCharger(db: Db, id: ChargerId): Promise<Charger> {
  const row = await placedChargers(db).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Charger ${id}`);
  return row as Charger;
}

export async function getChargerBySerial(db: Db, serialNumber: string): Promise<Charger> {
  const row = await placedChargers(db).where('serial_number', '=', serialNumber).executeTakeFirst();
  if (!row) throw notFound(`Charger with serial number ${serialNumber}`);
  return row as Charger;
}

/** A new charger gets the next id from 100000 up (a sequence, so concurrent creates never collide). */
export async function createCharger(db: Db, input: NewChargerInput): Promise<Charger> {
  try {
    return await db
      .insertInto('chargers')
      .values({
        serial_number: input.serialNumber,
        charge_point_id: input.chargePointId,
        latitude: input.location.latitude,
        longitude: input.location.longitude,
      })
      .returningAll()
      .executeTakeFirstOrThrow() as Charger;
  } catch (error) {
    throw translateWriteError(error);
  }
}

/** A charger by connectorID or serial number, placed or not (the operator CLI names chargers either way). */
export async function findChargerByReference(db: Db, reference: string): Promise<ChargerRow> {
  const query = db.selectFrom('chargers').selectAll();
  const row = await (/^\d+$/.test(reference) ? query.where('id', '=', Number(reference)) : query.where('serial_number', '=', reference)).executeTakeFirst();
  if (!row) throw notFound(`Charger ${reference}`);
  return row;
}

/** Chargers that registered themselves (OCPP_AUTO_REGISTER) and wait for an admin to place them. */
export function listUnplacedChargers(db: Db): Promise<ChargerRow[]> {
  return db.selectFrom('chargers').selectAll().where('charge_point_id', 'is', null).orderBy('id').execute();
}

export async function updateCharger(db: Db, id: ChargerId, changes: ChargerChanges): Promise<Charger> {
  const current = await db.selectFrom('chargers').select(['charge_point_id', 'latitude', 'security_profile', 'password_hash']).where('id', '=', id).executeTakeFirst();
  if (!current) throw notFound(`Charger ${id}`);
  checkSecurityProfile(current, changes);
  if (current.charge_point_id === null && changes.chargePointId === undefined) {
    throw new DomainError('invalid', ['invalidChargePointID'], 'This charger registered itself: give it a chargePointID (and a location) first');
  }
  // A charger placed at a site for the first time stands where the site is unless told otherwise.
  const location = changes.location ?? (current.latitude === null && changes.chargePointId !== undefined ? await siteLocation(db, changes.chargePointId) : undefined);
  const passwordHash = changes.password === undefined ? undefined : changes.password === null ? null : await hashPassword(changes.password);
  try {
    const row = await db
      .updateTable('chargers')
      .set({
        password_hash: passwordHash,
        registration_status: changes.registrationStatus,
        serial_number: changes.serialNumber,
        charge_point_id: changes.chargePointId,
        latitude: location?.latitude,
        longitude: location?.longitude,
        status: changes.status,
        security_profile: changes.securityProfile,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound(`Charger ${id}`);
    return row as Charger;
  } catch (error) {
    throw translateWriteError(error);
  }
}

/**
 * The whitepaper's rules for a profile change: never to a lower profile (409), and profiles
 * 1 and 2 authenticate with Basic Auth, so a charger in (or moving to) one keeps a password (400).
 */
function checkSecurityProfile(current: { security_profile: number; password_hash: string | null }, changes: ChargerChanges): void {
  const profile = changes.securityProfile ?? current.security_profile;
  if (profile < current.security_profile) {
    throw new DomainError('conflict', ['securityProfileDowngrade'], `The charger uses security profile ${current.security_profile}; a profile is never lowered`);
  }
  const hasPassword = changes.password === undefined ? current.password_hash !== null : changes.password !== null;
  if ((profile === 1 || profile === 2) && !hasPassword) {
    throw new DomainError('invalid', ['passwordRequired'], `Security profile ${profile} needs a password (Basic Auth): set one with it`);
  }
}

export async function deleteCharger(db: Db, id: ChargerId): Promise<void> {
  const result = await db.deleteFrom('chargers').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound(`Charger ${id}`);
}

async function siteLocation(db: Db, chargePointId: ChargePointId): Promise<Location | undefined> {
  const site = await db.selectFrom('charge_points').select(['latitude', 'longitude']).where('id', '=', chargePointId).executeTakeFirst();
  return site;
}
