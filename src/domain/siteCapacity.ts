import type { Db } from '../db/connection.ts';
import type { PhaseConnection } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import type { Amperes, ChargePointId, ChargerId, Watts } from './units.ts';

/** IEC 61851: a car is not charged with less than 6 A. */
export const MIN_CHARGING_CURRENT: Amperes = 6;

/** A site's grid connection, which its chargers share. */
export interface SiteCapacity {
  chargePointId: ChargePointId;
  /** Per phase; null: no current limit. */
  maxCurrent: Amperes | null;
  /** null: no power limit. */
  maxPower: Watts | null;
  phases: 1 | 3;
  /** Per phase, kept for the site's other loads. */
  reserveCurrent: Amperes;
}

export type SiteCapacityChanges = Partial<Omit<SiteCapacity, 'chargePointId'>>;

/** How one charger is supplied: the most it may draw per phase, and the site phases it is wired to. */
export interface ChargerSupply {
  chargerId: ChargerId;
  maxCurrent: Amperes;
  phaseConnection: PhaseConnection;
}

export type ChargerSupplyChanges = Partial<Omit<ChargerSupply, 'chargerId'>>;

const invalid = (message: string) => new DomainError('invalid', ['invalidCapacity'], message);

export async function siteCapacity(db: Db, chargePointId: ChargePointId): Promise<SiteCapacity> {
  const row = await db.selectFrom('charge_points').select(['id', 'max_current_a', 'max_power_w', 'phases', 'reserve_current_a'])
    .where('id', '=', chargePointId).executeTakeFirst();
  if (!row) throw notFound(`Charge point ${chargePointId}`);
  return { chargePointId: row.id, maxCurrent: row.max_current_a, maxPower: row.max_power_w, phases: row.phases, reserveCurrent: row.reserve_current_a };
}

/**
 * Changes a site's capacity. The reserve must leave the chargers at least one car's minimum
 * (6 A) of the current limit, or the site could charge nothing.
 */
export async function setSiteCapacity(db: Db, chargePointId: ChargePointId, changes: SiteCapacityChanges): Promise<SiteCapacity> {
  return db.transaction().execute(async (trx) => {
    // Two changes at once each check the reserve against what the other leaves.
    await trx.selectFrom('charge_points').select('id').where('id', '=', chargePointId).forUpdate().execute();
    const current = await siteCapacity(trx, chargePointId);
    const next = { ...current, ...definedOnly(changes) };
    if (next.maxCurrent !== null && next.maxCurrent - next.reserveCurrent < MIN_CHARGING_CURRENT) {
      throw invalid(`The reserve (${next.reserveCurrent} A) leaves less than ${MIN_CHARGING_CURRENT} A of the ${next.maxCurrent} A per phase for the chargers`);
    }
    await trx.updateTable('charge_points').set({
      max_current_a: next.maxCurrent, max_power_w: next.maxPower, phases: next.phases, reserve_current_a: next.reserveCurrent, updated_at: new Date(),
    }).where('id', '=', chargePointId).execute();
    return next;
  });
}

export async function chargerSupply(db: Db, chargerId: ChargerId): Promise<ChargerSupply> {
  const row = await db.selectFrom('chargers').select(['id', 'max_current_a', 'phase_connection']).where('id', '=', chargerId).executeTakeFirst();
  if (!row) throw notFound(`Charger ${chargerId}`);
  return { chargerId: row.id, maxCurrent: row.max_current_a, phaseConnection: row.phase_connection };
}

export async function setChargerSupply(db: Db, chargerId: ChargerId, changes: ChargerSupplyChanges): Promise<ChargerSupply> {
  const row = await db.updateTable('chargers')
    .set({ max_current_a: changes.maxCurrent, phase_connection: changes.phaseConnection, updated_at: new Date() })
    .where('id', '=', chargerId).returning(['id', 'max_current_a', 'phase_connection']).executeTakeFirst();
  if (!row) throw notFound(`Charger ${chargerId}`);
  return { chargerId: row.id, maxCurrent: row.max_current_a, phaseConnection: row.phase_connection };
}

/** The changes without the keys given as undefined (null is a change: no limit). */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
