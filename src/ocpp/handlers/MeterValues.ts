import type { Handler } from './context.ts';
import { readConnectorId, readMeterValues, readRowId } from './fields.ts';

export const MeterValues: Handler = async (deps, connection, payload, id) => {
  const receivedAt = new Date();
  const connectorId = readConnectorId(payload.connectorId, []);
  const { live } = await deps.transactions.meterValues(connection.chargerId, {
    connectorId,
    transactionId: readRowId(payload.transactionId),
    meterValues: readMeterValues(payload.meterValue, receivedAt),
  }, receivedAt);
  // Pushed once stored, and once only: a resent reading is not news.
  if (live) deps.events.emit('meterValues', { chargerId: connection.chargerId, connectorId: connectorId ?? 0, messageId: id, summary: live });
  return { response: {} };
};
