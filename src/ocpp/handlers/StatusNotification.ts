import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

/** Connector status; connector 0 is the charger as a whole. The charger's API status follows. */
export async function StatusNotification(deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'StatusNotification'>): Promise<Answer<'StatusNotification'>> {
  await deps.statuses.connector(connection.chargerId, request);
  return { response: {} };
}
