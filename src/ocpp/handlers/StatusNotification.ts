import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

/** Connector status; connector 0 is the charger as a whole. The charger's API status follows; operators' live views hear it once stored. */
export async function StatusNotification(deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'StatusNotification'>): Promise<Answer<'StatusNotification'>> {
  const { at } = await deps.statuses.connector(connection.chargerId, request);
  const { connectorId, status, errorCode } = request;
  deps.bus.publish('chargerStatus', { chargerId: connection.chargerId, connectorId, status, errorCode, at }, String(connection.chargerId));
  return { response: {} };
}
