import type { Handler } from './context.ts';
import { readIdTag, readMeterValues, readRowId, readText, readTime, readWh } from './fields.ts';

export const StopTransaction: Handler = async (deps, connection, payload) => {
  const receivedAt = new Date();
  const flags: string[] = [];
  const { idTag, idTagUsable } = payload.idTag === undefined ? { idTag: null, idTagUsable: false } : readIdTag(payload.idTag, flags);
  const answer = await deps.transactions.stop(connection.chargerId, {
    transactionId: readRowId(payload.transactionId),
    meterStopWh: readWh(payload.meterStop, payload.meterStop === undefined ? 'missingMeterStop' : 'invalidMeterStop', flags),
    stoppedAt: readTime(payload.timestamp, receivedAt, flags),
    // OCPP (errata): a stop without a reason is a local one.
    reason: readText(payload.reason) ?? 'Local',
    idTag,
    idTagUsable,
    transactionData: readMeterValues(payload.transactionData, receivedAt),
    flags,
  }, receivedAt);
  return { response: answer.idTagInfo ? { idTagInfo: answer.idTagInfo } : {} };
};
