import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { LocalListSyncStatus } from '../db/schema.ts';
import type { ChargerId } from './units.ts';

/**
 * What the subsystems that keep what a charger should hold need to know when it boots,
 * read for a whole batch of boots at once with the boots themselves: without it each
 * subsystem looked its charger up after every boot (five queries and a command per boot,
 * a fleet reconnecting after a restart took several times longer to be served).
 */
export interface BootFacts {
  /** Its connector count is unknown: ask NumberOfConnectors. */
  connectorCountUnknown: boolean;
  /** The ChangeAvailability an admin asked for while it was offline. */
  pendingAvailability: 'Operative' | 'Inoperative' | null;
  /** A desired configuration applies to it (its own keys or its charge point's). */
  desiredConfiguration: boolean;
  /** It holds charging profiles set by an admin. */
  chargingProfiles: boolean;
  /** The load balancer has limits of its connectors in its books: they are sent again. */
  limitsGiven: boolean;
  /** The local list version every charger should hold (0: no cards yet). */
  listVersion: number;
  /** What is known of its local list, or null when it was never sent one. */
  localList: { version: number | null; status: LocalListSyncStatus } | null;
}

/** Nothing to keep: what a charger that was just created would have. */
export const NO_FACTS: BootFacts = {
  connectorCountUnknown: true, pendingAvailability: null, desiredConfiguration: false, chargingProfiles: false, limitsGiven: false, listVersion: 0, localList: null,
};

interface FactsRow {
  id: number;
  connector_count: number | null;
  pending_availability: 'Operative' | 'Inoperative' | null;
  desired: boolean;
  profiles: boolean;
  limits: boolean;
  list_version: number | null;
  list_status: LocalListSyncStatus | null;
  current_version: number;
}

/** The boot facts of these chargers, in one query (inside the transaction that records their boots). */
export async function bootFactsOf(db: Db, ids: readonly ChargerId[]): Promise<Map<ChargerId, BootFacts>> {
  const { rows } = await sql<FactsRow>`
    select c.id, c.connector_count, c.pending_availability,
      exists (select 1 from desired_configuration d where d.charger_id = c.id or d.charge_point_id = c.charge_point_id) as desired,
      exists (select 1 from charging_profiles p where p.charger_id = c.id) as profiles,
      exists (select 1 from connector_allocations a where a.charger_id = c.id) as limits,
      l.version as list_version, l.status as list_status,
      (select version from local_list) as current_version
    from chargers c left join charger_local_lists l on l.charger_id = c.id
    where c.id = any(${[...ids]}::int[])`.execute(db);
  return new Map(rows.map((row) => [row.id, {
    connectorCountUnknown: row.connector_count === null,
    pendingAvailability: row.pending_availability,
    desiredConfiguration: row.desired,
    chargingProfiles: row.profiles,
    limitsGiven: row.limits,
    listVersion: row.current_version,
    localList: row.list_status === null ? null : { version: row.list_version, status: row.list_status },
  }]));
}
