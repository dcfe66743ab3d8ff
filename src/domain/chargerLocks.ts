import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { ChargerId } from './units.ts';

/**
 * Locks the chargers' rows in id order for the rest of the transaction. Every writer of a
 * charger's status (presence, StatusNotification) takes its lock before it reads the
 * connectors, so one never overwrites the other with a status computed from stale rows,
 * and writers of several rows cannot deadlock.
 */
export async function lockChargers(trx: Db, chargerIds: ChargerId[]): Promise<void> {
  await sql`select id from chargers where id = any(${chargerIds}::int[]) order by id for update`.execute(trx);
}
