import { recordMeterValues } from '../../domain/transactions.ts';
import type { Handler } from './context.ts';

export const MeterValues: Handler = async (deps, connection, payload, id) => {
  const connectorId = Number.isInteger(payload.connectorId) ? payload.connectorId : 1;
  const { session, reading } = await recordMeterValues(deps.db, connection.chargerId, {
    connectorId,
    transactionId: Number.isInteger(payload.transactionId) ? payload.transactionId : undefined,
    meterValue: Array.isArray(payload.meterValue) ? payload.meterValue : [],
  });
  if (session?.running && reading) {
    const summary = await deps.summaries.record(session, reading);
    deps.events.emit('meterValues', { chargerId: connection.chargerId, connectorId, messageId: id, summary });
  }
  return { response: {} };
};
