import { recordStatus } from '../../domain/chargerPresence.ts';
import type { Handler } from './context.ts';

/** Connector status; connector 0 is the charger as a whole. The charger's API status follows. */
export const StatusNotification: Handler = async (deps, connection, payload) => {
  await recordStatus(deps.db, connection.chargerId, payload);
  return { response: {} };
};
