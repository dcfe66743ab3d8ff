import { startTransaction } from '../../domain/transactions.ts';
import { startTagOf } from '../dialect/commands.ts';
import type { Handler } from './context.ts';

/** Always answered with a transactionId and an idTagInfo (a refused tag is told so; the charger stops). */
export const StartTransaction: Handler = async (deps, connection, payload) => {
  const connectorId = Number.isInteger(payload.connectorId) ? payload.connectorId : 1;
  const requestedTag = connection.remoteStartTags.get(connectorId);
  connection.remoteStartTags.delete(connectorId);
  const answer = await startTransaction(deps.db, connection.chargerId, {
    connectorId,
    idTag: startTagOf(connection.dialect, typeof payload.idTag === 'string' ? payload.idTag : undefined, requestedTag),
    meterStart: Number.isFinite(payload.meterStart) ? Math.round(payload.meterStart) : 0,
    timestamp: typeof payload.timestamp === 'string' ? payload.timestamp : undefined,
    reservationId: Number.isInteger(payload.reservationId) ? payload.reservationId : undefined,
  });
  deps.events.emit('sessionStarted', { chargerId: connection.chargerId, connectorId, sessionId: answer.transactionId });
  return { response: { transactionId: answer.transactionId, idTagInfo: answer.idTagInfo } };
};
