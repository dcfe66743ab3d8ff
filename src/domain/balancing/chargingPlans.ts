import type { Db } from '../../db/connection.ts';
import type { PlanPeriod, SessionStatus } from '../../db/schema.ts';
import type { Bus } from '../bus.ts';
import { DomainError } from '../errors.ts';
import type { SessionViews } from '../sessions/views.ts';
import { listTariffs } from '../tariffs.ts';
import type { AccessClaims } from '../tokens.ts';
import type { Amperes, ChargePointId, ChargerId, Ore, Wh } from '../units.ts';
import { VOLTS_PER_PHASE } from './allocation.ts';
import { planCharging, type ChargingPlan, type HourPrice } from './chargingPlan.ts';
import { availableCurrent } from './siteLimits.ts';
import { drawPhases } from './siteState.ts';

const HOUR_MS = 3_600_000;
/** How far ahead a plan may reach: the day-ahead tariffs are known at most this far. */
export const MAX_PLAN_AHEAD_MS = 48 * HOUR_MS;
/** Far above any car's battery. */
export const MAX_PLAN_ENERGY_WH: Wh = 200_000;
/** A session is planned until its charger charges it; a stopping or ended one has nothing left to plan. */
export const PLANNABLE_SESSION_STATUSES: readonly SessionStatus[] = ['Created', 'Starting', 'Charging'];
/** Used when no tariff of the hours names one: the site prices are öre. */
const DEFAULT_CURRENCY = 'SEK';

/** What a driver asks of a session: this much more energy by then. */
export interface ChargingWish {
  readyBy: Date;
  energyWh: Wh;
}

/** What one session may draw: its charger's and its site's limits, and its phases. */
interface SessionSupply {
  chargePointId: ChargePointId | null;
  maxCurrentA: Amperes;
  phases: 1 | 3;
  sitePriceOre: Ore;
}

/**
 * The charging plans drivers ask for: set (replacing the session's earlier plan) and cleared
 * by the session's owner or an admin. Each change asks the site's load balancer to apply it.
 */
export class ChargingPlans {
  constructor(private readonly db: Db, private readonly bus: Bus, private readonly sessions: SessionViews) {}

  async set(sessionId: number, caller: AccessClaims, wish: ChargingWish, now = new Date()): Promise<ChargingPlan> {
    const session = await this.sessions.owned(sessionId, caller);
    checkWish(wish, now);
    if (!PLANNABLE_SESSION_STATUSES.includes(session.status) || session.charger_id === null) {
      throw new DomainError('conflict', ['sessionNotPlannable'], `Session ${sessionId} is ${session.status}`);
    }
    const supply = await supplyOf(this.db, session.charger_id);
    const { prices, currency } = await pricesOf(this.db, supply.sitePriceOre, now, wish.readyBy);
    const plan = planCharging({ now, ...wish, maxCurrentA: supply.maxCurrentA, phases: supply.phases, prices, currency });
    const row = {
      ready_by: plan.readyBy, energy_wh: plan.energyWh, periods: JSON.stringify(plan.periods), planned_energy_wh: plan.plannedEnergyWh,
      expected_cost_ore: plan.expectedCostOre, currency: plan.currency,
    };
    await this.db.insertInto('charging_plans').values({ session_id: sessionId, ...row })
      .onConflict((conflict) => conflict.column('session_id').doUpdateSet(row))
      .execute();
    if (supply.chargePointId !== null) this.bus.publish('balanceSite', { chargePointId: supply.chargePointId });
    return plan;
  }

  /** Removes the session's plan (if it has one): it charges as the balancer allows, at once. */
  async clear(sessionId: number, caller: AccessClaims): Promise<void> {
    const session = await this.sessions.owned(sessionId, caller);
    const removed = await this.db.deleteFrom('charging_plans').where('session_id', '=', sessionId).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0 || session.charger_id === null) return;
    const charger = await this.db.selectFrom('chargers').select('charge_point_id').where('id', '=', session.charger_id).executeTakeFirst();
    if (charger && charger.charge_point_id !== null) this.bus.publish('balanceSite', { chargePointId: charger.charge_point_id });
  }
}

function checkWish({ readyBy, energyWh }: ChargingWish, now: Date): void {
  if (Number.isNaN(readyBy.getTime()) || readyBy <= now) throw new DomainError('invalid', ['invalidReadyBy'], 'readyBy must be in the future');
  if (readyBy.getTime() - now.getTime() > MAX_PLAN_AHEAD_MS) {
    throw new DomainError('invalid', ['invalidReadyBy'], `readyBy is at most ${MAX_PLAN_AHEAD_MS / HOUR_MS} hours ahead`);
  }
  if (!Number.isInteger(energyWh) || energyWh < 1 || energyWh > MAX_PLAN_ENERGY_WH) {
    throw new DomainError('invalid', ['invalidEnergy'], `energyWh is a whole number of Wh from 1 to ${MAX_PLAN_ENERGY_WH}`);
  }
}

async function supplyOf(db: Db, chargerId: ChargerId): Promise<SessionSupply> {
  const row = await db.selectFrom('chargers')
    .leftJoin('charge_points', 'charge_points.id', 'chargers.charge_point_id')
    .select([
      'chargers.charge_point_id', 'chargers.max_current_a as chargerMaxA', 'chargers.phase_connection', 'charge_points.max_current_a as siteMaxA',
      'charge_points.reserve_current_a', 'charge_points.max_power_w', 'charge_points.phases as sitePhases', 'charge_points.price_per_kwh_ore',
    ])
    .where('chargers.id', '=', chargerId)
    .executeTakeFirstOrThrow();
  const phases = drawPhases(row.phase_connection, row.sitePhases ?? 3).length === 1 ? 1 : 3;
  const siteCurrentA = availableCurrent({ maxCurrent: row.siteMaxA, reserveCurrent: row.reserve_current_a ?? 0 });
  const limits = [
    row.chargerMaxA,
    ...(siteCurrentA !== null ? [siteCurrentA] : []),
    ...(row.max_power_w !== null ? [row.max_power_w / (phases * VOLTS_PER_PHASE)] : []),
  ];
  // OCPP 1.6 takes a limit in amperes with at most one decimal; down, so the site is never exceeded.
  const maxCurrentA = Math.floor(Math.min(...limits) * 10 + 1e-9) / 10;
  return { chargePointId: row.charge_point_id, maxCurrentA, phases, sitePriceOre: row.price_per_kwh_ore ?? 0 };
}

/** Each hour of [from, to) at the site's price plus its tariff; an hour with no tariff costs the site's price alone. */
async function pricesOf(db: Db, sitePriceOre: Ore, from: Date, to: Date): Promise<{ prices: HourPrice[]; currency: string }> {
  const tariffs = await listTariffs(db, from, to);
  const tariffAt = new Map(tariffs.map((tariff) => [tariff.startsAt.getTime(), tariff.pricePerKwhOre]));
  const prices: HourPrice[] = [];
  for (let hour = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS; hour < to.getTime(); hour += HOUR_MS) {
    prices.push({ startsAt: new Date(hour), pricePerKwhOre: sitePriceOre + (tariffAt.get(hour) ?? 0) });
  }
  return { prices, currency: tariffs[0]?.currency ?? DEFAULT_CURRENCY };
}

/** The session's plan; undefined when it has none. */
export async function planOf(db: Db, sessionId: number): Promise<ChargingPlan | undefined> {
  const row = await db.selectFrom('charging_plans').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
  return row && {
    readyBy: row.ready_by,
    energyWh: row.energy_wh,
    periods: row.periods,
    plannedEnergyWh: row.planned_energy_wh,
    expectedCostOre: row.expected_cost_ore,
    currency: row.currency,
  };
}

/** The planned periods of those of the sessions that have a plan, by session id. */
export async function plansOf(db: Db, sessionIds: readonly number[]): Promise<Map<number, PlanPeriod[]>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db.selectFrom('charging_plans').select(['session_id', 'periods']).where('session_id', 'in', sessionIds).execute();
  return new Map(rows.map((row) => [row.session_id, row.periods]));
}
