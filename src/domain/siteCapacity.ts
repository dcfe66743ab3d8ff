import type { Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { BalancingProfile, ChargersTable, PhaseConnection, SmartChargingSupport } from '../db/schema.ts';
import type { Bus } from './bus.ts';
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

/**
 * How one charger is supplied and takes part in its site's balancing: the most it may draw per
 * phase, the site phases it is wired to, its weight, how its limits are sent, and what it
 * showed of smart charging.
 */
export interface ChargerSupply {
  chargerId: ChargerId;
  maxCurrent: Amperes;
  phaseConnection: PhaseConnection;
  /** 1–10: weighs its share of the site, and who gets the minimum first when not every session can. */
  priority: number;
  profilePurpose: BalancingProfile;
  /** Learnt from its answers to SetChargingProfile, never set by hand. */
  smartCharging: SmartChargingSupport;
}

export type ChargerSupplyChanges = Partial<Omit<ChargerSupply, 'chargerId' | 'smartCharging'>>;

export const MIN_BALANCING_PRIORITY = 1;
export const MAX_BALANCING_PRIORITY = 10;

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
export async function setSiteCapacity(db: Db, bus: Bus, chargePointId: ChargePointId, changes: SiteCapacityChanges): Promise<SiteCapacity> {
  const changed = await db.transaction().execute(async (trx) => {
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
  bus.publish('balanceSite', { chargePointId });
  return changed;
}

const SUPPLY_COLUMNS = ['id', 'charge_point_id', 'max_current_a', 'phase_connection', 'balancing_priority', 'balancing_profile', 'smart_charging'] as const;

type SupplyRow = Pick<Selectable<ChargersTable>, (typeof SUPPLY_COLUMNS)[number]>;

const supplyOf = (row: SupplyRow): ChargerSupply => ({
  chargerId: row.id, maxCurrent: row.max_current_a, phaseConnection: row.phase_connection,
  priority: row.balancing_priority, profilePurpose: row.balancing_profile, smartCharging: row.smart_charging,
});

export async function chargerSupply(db: Db, chargerId: ChargerId): Promise<ChargerSupply> {
  const row = await db.selectFrom('chargers').select(SUPPLY_COLUMNS).where('id', '=', chargerId).executeTakeFirst();
  if (!row) throw notFound(`Charger ${chargerId}`);
  return supplyOf(row);
}

/** Changes a charger's supply; its site (if it has one) is balanced again. */
export async function setChargerSupply(db: Db, bus: Bus, chargerId: ChargerId, changes: ChargerSupplyChanges): Promise<ChargerSupply> {
  const row = await db.updateTable('chargers')
    .set({
      max_current_a: changes.maxCurrent, phase_connection: changes.phaseConnection, balancing_priority: changes.priority,
      balancing_profile: changes.profilePurpose, updated_at: new Date(),
    })
    .where('id', '=', chargerId).returning(SUPPLY_COLUMNS).executeTakeFirst();
  if (!row) throw notFound(`Charger ${chargerId}`);
  if (row.charge_point_id !== null) bus.publish('balanceSite', { chargePointId: row.charge_point_id });
  return supplyOf(row);
}

/** The changes without the keys given as undefined (null is a change: no limit). */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
