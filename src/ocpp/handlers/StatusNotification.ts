import type { Handler } from './context.ts';

/** Connector status; connector 0 is the charger as a whole. The charger's API status follows. */
export const StatusNotification: Handler = async (deps, connection, payload) => {
  await deps.statuses.connector(connection.chargerId, payload);
  return { response: {} };
};
