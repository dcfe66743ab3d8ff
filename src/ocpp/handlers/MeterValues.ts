import { recordMeterValues } from '../../domain/transactions.ts';
import type { Handler } from './context.ts';

export const MeterValues: Handler = async (deps, connection, payload, id) => {
  const connectorId = Number.isInteger(payload.connectorId) ? payload.connectorId : 1;
  const meterValue = Array.isArray(payload.meterValue) ? payload.meterValue : [];
  const { sessionId } = await recordMeterValues(deps.db, connection.chargerId, {
    connectorId,
    transactionId: Number.isInteger(payload.transactionId) ? payload.transactionId : undefined,
    meterValue,
  });
  deps.events.emit('meterValues', { chargerId: connection.chargerId, connectorId, sessionId, meterValue, raw: payload, messageId: id });
  return { response: {} };
};
