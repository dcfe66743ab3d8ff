import { startTagOf } from '../dialect/commands.ts';
import type { Handler } from './context.ts';
import { readConnectorId, readIdTag, readRowId, readTime, readWh } from './fields.ts';

/** Always answered with a transactionId and an idTagInfo (a refused tag is told so; the charger stops). */
export const StartTransaction: Handler = async (deps, connection, payload) => {
  const receivedAt = new Date();
  const flags: string[] = [];
  const connectorId = readConnectorId(payload.connectorId, flags);
  const requestedTag = connectorId === null ? undefined : connection.remoteStartTags.get(connectorId);
  if (connectorId !== null) connection.remoteStartTags.delete(connectorId);
  const reported = readIdTag(payload.idTag, flags);
  const idTag = startTagOf(connection.dialect, reported.idTag ?? undefined, requestedTag) ?? null;
  const answer = await deps.transactions.start(connection.chargerId, {
    connectorId,
    idTag,
    idTagUsable: idTag === reported.idTag ? reported.idTagUsable : true,
    meterStartWh: payload.meterStart === undefined ? missing('missingMeterStart', flags) : readWh(payload.meterStart, 'invalidMeterStart', flags),
    startedAt: readTime(payload.timestamp, receivedAt, flags),
    reservationId: payload.reservationId === undefined ? null : readRowId(payload.reservationId) ?? missing('invalidReservationId', flags),
    flags,
  }, requestedTag, receivedAt);
  return { response: { transactionId: answer.transactionId, idTagInfo: answer.idTagInfo } };
};

function missing(flag: string, flags: string[]): null {
  flags.push(flag);
  return null;
}
