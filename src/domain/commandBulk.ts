import type { Db } from '../db/connection.ts';
import type { ChargerGateway, CommandAction, CommandOrigin, CommandRequest } from './chargerGateway.ts';
import { DomainError, notFound } from './errors.ts';
import type { ChargerId } from './units.ts';

/**
 * Commands of one bulk request in flight at once. A charger answers its own commands one at
 * a time, so the chargers of a bulk command are served side by side; what this bounds is
 * the server's share: each command writes its history twice, and 50 at once leave most of
 * the database pool (DATABASE_POOL_SIZE, 10 by default) to the chargers' own traffic while
 * a charge point of up to 50 chargers is still done within one OCPP_CALL_TIMEOUT.
 */
export const BULK_CONCURRENCY = 50;

/** Which chargers a bulk command goes to: listed, or every charger of a charge point. */
export type BulkTarget = { chargerIds: ChargerId[] } | { chargePointId: number };

/** What one charger of a bulk command answered, or why it did not. */
export interface BulkResult {
  chargerId: ChargerId;
  commandId: string;
  status: string | null;
  response: Record<string, unknown> | null;
  error: { code: string; errorCodes: string[]; message: string } | null;
}

/** The chargers of a target, in id order; an unknown charger or charge point is an error before anything is sent. */
export async function bulkChargers(db: Db, target: BulkTarget): Promise<ChargerId[]> {
  if ('chargePointId' in target) {
    const point = await db.selectFrom('charge_points').select('id').where('id', '=', target.chargePointId).executeTakeFirst();
    if (!point) throw notFound(`Charge point ${target.chargePointId}`);
    const rows = await db.selectFrom('chargers').select('id').where('charge_point_id', '=', target.chargePointId).orderBy('id').execute();
    return rows.map((row) => row.id);
  }
  const wanted = [...new Set(target.chargerIds)].sort((a, b) => a - b);
  if (wanted.length === 0) return [];
  const known = new Set((await db.selectFrom('chargers').select('id').where('id', 'in', wanted).execute()).map((row) => row.id));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new DomainError('notFound', ['notFoundError'], `Chargers not found: ${unknown.join(', ')}`);
  return wanted;
}

function resultOf(chargerId: ChargerId, commandId: string, outcome: { response: Record<string, unknown> } | { error: unknown }): BulkResult {
  if ('response' in outcome) {
    const status = typeof outcome.response.status === 'string' ? outcome.response.status : 'Answered';
    return { chargerId, commandId, status, response: outcome.response, error: null };
  }
  const { error } = outcome;
  const codes = error instanceof DomainError ? [...error.codes] : ['internalError'];
  return { chargerId, commandId, status: null, response: null, error: { code: codes[0] ?? 'internalError', errorCodes: codes, message: error instanceof Error ? error.message : String(error) } };
}

/**
 * Sends one command to each charger, BULK_CONCURRENCY at a time, and answers with each
 * charger's result in the order of `chargerIds` once the history holds them all. A charger
 * that is offline, slow or refuses is a result like any other.
 */
export async function sendToMany<A extends CommandAction>(
  gateway: ChargerGateway, chargerIds: readonly ChargerId[], action: A, request: CommandRequest<A>, origin: CommandOrigin,
): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(chargerIds.length);
  let next = 0;
  const worker = async () => {
    while (next < chargerIds.length) {
      const index = next++;
      const chargerId = chargerIds[index]!;
      const result = await gateway.command(chargerId, action, request, origin);
      await result.recorded;
      results[index] = resultOf(chargerId, result.commandId, result.answered ? { response: result.response as Record<string, unknown> } : { error: result.error });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, chargerIds.length) }, worker));
  return results;
}
