import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { AllocationStatus } from '../../db/schema.ts';
import type { Amperes, ChargePointId, ChargerId } from '../units.ts';
import type { Allocation } from './allocation.ts';
import type { RunningConnector } from './siteState.ts';

/** How sending a connector's limit went, to be recorded. */
export interface Outcome {
  connector: RunningConnector;
  status: AllocationStatus;
  error: string | null;
  inForceA: Amperes | null;
  /** What the answer showed of the charger's smart charging. */
  support?: 'supported' | 'unsupported';
}

/**
 * Records what each running connector of a site is given, may draw and where its limit stands (`books`), before anything is sent, and forgets
 * the connectors no longer running: two statements, whatever the site's size, and rows whose
 * allocation did not change are not written (a tick mostly changes nothing).
 */
export async function storeAllocations(
  db: Db, chargePointId: ChargePointId, running: readonly RunningConnector[], allocations: readonly Allocation[],
  books: (connector: RunningConnector) => { inForceA: Amperes | null; status: AllocationStatus }, now: Date,
): Promise<void> {
  const rows = running.flatMap((connector, i) => {
    const allocation = allocations[i]!;
    const { inForceA, status } = books(connector);
    if (connector.allocatedA === allocation.currentA && connector.limitedBy === allocation.reason && connector.status === status && connector.inForceA === inForceA) return [];
    return [{
      charger_id: connector.chargerId, connector_id: connector.connectorId, charge_point_id: chargePointId, session_id: connector.sessionId,
      current_a: allocation.currentA, phases: connector.phases.length as 1 | 3, limited_by: allocation.reason, computed_at: now, in_force_a: inForceA, status,
    }];
  });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('connector_allocations').where('charge_point_id', '=', chargePointId)
      .where((eb) => eb.not(eb.or(running.map((c) => eb.and([eb('charger_id', '=', c.chargerId), eb('connector_id', '=', c.connectorId)])))))
      .execute();
    if (rows.length === 0) return;
    await trx.insertInto('connector_allocations').values(rows)
      .onConflict((oc) => oc.columns(['charger_id', 'connector_id']).doUpdateSet((eb) => ({
        charge_point_id: eb.ref('excluded.charge_point_id'), session_id: eb.ref('excluded.session_id'), current_a: eb.ref('excluded.current_a'),
        phases: eb.ref('excluded.phases'), limited_by: eb.ref('excluded.limited_by'), computed_at: eb.ref('excluded.computed_at'),
        in_force_a: eb.ref('excluded.in_force_a'), status: eb.ref('excluded.status'),
      })))
      .execute();
  });
}

/**
 * Records how the sends went, in one statement (a row whose session ended meanwhile is left
 * alone), and what the answers showed of the chargers' smart charging.
 */
export async function recordOutcomes(db: Db, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const values = sql.join(outcomes.map(({ connector, status, error, inForceA }) =>
    sql`(${connector.chargerId}::int, ${connector.connectorId}::int, ${connector.sessionId}::int, ${status}::text, ${error}::text, ${inForceA}::float8)`));
  await sql`
    update connector_allocations a
    set status = v.status, error = v.error, in_force_a = v.in_force_a, accepted_at = case when v.status = 'accepted' then now() else a.accepted_at end
    from (values ${values}) as v (charger_id, connector_id, session_id, status, error, in_force_a)
    where a.charger_id = v.charger_id and a.connector_id = v.connector_id and a.session_id = v.session_id`.execute(db);
  for (const support of ['supported', 'unsupported'] as const) {
    const chargers = [...new Set(outcomes.filter((o) => o.support === support).map((o) => o.connector.chargerId))];
    if (chargers.length > 0) await db.updateTable('chargers').set({ smart_charging: support }).where('id', 'in', chargers).where('smart_charging', '<>', support).execute();
  }
}

/** A charger may forget its profiles when it restarts: its limits are no longer counted as in force, so they are sent again. */
export async function forgetLimitsInForce(db: Db, chargerId: ChargerId): Promise<void> {
  await db.updateTable('connector_allocations').set({ in_force_a: null, status: 'pending' }).where('charger_id', '=', chargerId).execute();
}
