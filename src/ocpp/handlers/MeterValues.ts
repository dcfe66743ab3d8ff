import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { MessageId } from '../protocol/frames.ts';
import type { Answer, HandlerDeps } from './context.ts';
import { readConnectorId, readMeterValues, readRowId } from './fields.ts';

export async function MeterValues(deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'MeterValues'>, id: MessageId): Promise<Answer<'MeterValues'>> {
  const receivedAt = new Date();
  const connectorId = readConnectorId(request.connectorId, []);
  const { live } = await deps.transactions.meterValues(connection.chargerId, {
    connectorId,
    transactionId: readRowId(request.transactionId),
    meterValues: readMeterValues(request.meterValue, receivedAt),
  }, receivedAt);
  // Pushed once stored, and once only: a resent reading is not news. A user's session goes to
  // that user's sockets (its topic), on whichever node they are; every session to the operators.
  if (live) {
    const event = { chargerId: connection.chargerId, connectorId: connectorId ?? 0, messageId: id, summary: live };
    if (live.userId === null) deps.bus.publish('meterValues', event);
    else deps.bus.publish('meterValues', event, String(live.userId));
  }
  return { response: {} };
}
