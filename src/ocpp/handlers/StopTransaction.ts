import { stopTransaction } from '../../domain/transactions.ts';
import type { Handler } from './context.ts';

export const StopTransaction: Handler = async (deps, connection, payload) => {
  const answer = await stopTransaction(deps.db, connection.chargerId, {
    transactionId: Number.isInteger(payload.transactionId) ? payload.transactionId : -1,
    meterStop: Number.isFinite(payload.meterStop) ? Math.round(payload.meterStop) : 0,
    timestamp: typeof payload.timestamp === 'string' ? payload.timestamp : undefined,
    reason: typeof payload.reason === 'string' ? payload.reason : undefined,
    idTag: typeof payload.idTag === 'string' ? payload.idTag : undefined,
    transactionData: Array.isArray(payload.transactionData) ? payload.transactionData : undefined,
  });
  await deps.summaries.finish(answer.sessionId);
  deps.events.emit('sessionStopped', { chargerId: connection.chargerId, sessionId: answer.sessionId });
  return { response: answer.idTagInfo ? { idTagInfo: answer.idTagInfo } : {} };
};
