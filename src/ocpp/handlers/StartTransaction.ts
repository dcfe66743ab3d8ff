import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';
import { readConnectorId, readIdTag, readRowId, readTime, readWh } from './fields.ts';

/** Always answered with a transactionId and an idTagInfo (a refused tag is told so; the charger stops). */
export async function StartTransaction(deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'StartTransaction'>): Promise<Answer<'StartTransaction'>> {
  const receivedAt = new Date();
  const flags: string[] = [];
  const connectorId = readConnectorId(request.connectorId, flags);
  const reported = readIdTag(request.idTag, flags);
  const { idTag, remoteStartTag } = connection.dialect.startTag(connectorId, reported.idTag);
  const answer = await deps.transactions.start(connection.chargerId, {
    connectorId,
    idTag,
    idTagUsable: idTag === reported.idTag ? reported.idTagUsable : true,
    meterStartWh: request.meterStart === undefined ? missing('missingMeterStart', flags) : readWh(request.meterStart, 'invalidMeterStart', flags),
    startedAt: readTime(request.timestamp, receivedAt, flags),
    reservationId: request.reservationId === undefined ? null : readRowId(request.reservationId) ?? missing('invalidReservationId', flags),
    flags,
  }, remoteStartTag, receivedAt);
  return { response: { transactionId: answer.transactionId, idTagInfo: answer.idTagInfo } };
}

function missing(flag: string, flags: string[]): null {
  flags.push(flag);
  return null;
}
