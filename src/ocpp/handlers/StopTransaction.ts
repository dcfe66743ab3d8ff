import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';
import { readIdTag, readMeterValues, readRowId, readText, readTime, readWh } from './fields.ts';

export async function StopTransaction(deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'StopTransaction'>): Promise<Answer<'StopTransaction'>> {
  const receivedAt = new Date();
  const flags: string[] = [];
  const { idTag, idTagUsable } = request.idTag === undefined ? { idTag: null, idTagUsable: false } : readIdTag(request.idTag, flags);
  const answer = await deps.transactions.stop(connection.chargerId, {
    transactionId: readRowId(request.transactionId),
    meterStopWh: readWh(request.meterStop, request.meterStop === undefined ? 'missingMeterStop' : 'invalidMeterStop', flags),
    stoppedAt: readTime(request.timestamp, receivedAt, flags),
    // OCPP (errata): a stop without a reason is a local one.
    reason: readText(request.reason) ?? 'Local',
    idTag,
    idTagUsable,
    transactionData: readMeterValues(request.transactionData, receivedAt),
    flags,
  }, receivedAt);
  return { response: answer.idTagInfo ? { idTagInfo: answer.idTagInfo } : {} };
}
