import { bootDataRequest, refusesBootData } from '../dialect/bootData.ts';
import { wantsBootData } from '../dialect/detection.ts';
import type { ChargerConnection } from '../connection.ts';
import { OcppError } from '../protocol/errors.ts';
import type { Handler, HandlerDeps } from './context.ts';

/** Stores the charger's identity data and answers with its registration status. */
export const BootNotification: Handler = async (deps, connection, payload) => {
  const status = await deps.recordBoot(connection.chargerId, payload);
  connection.registration = status;
  return {
    response: { status, currentTime: new Date().toISOString(), interval: deps.config.heartbeatIntervalSeconds },
    after: status === 'Accepted' && wantsBootData(connection.dialect) ? () => void sendBootData(deps, connection) : undefined,
  };
};

async function sendBootData(deps: HandlerDeps, connection: ChargerConnection): Promise<void> {
  try {
    const price = await deps.pricePerKwh(connection.chargerId);
    const answer = await connection.call('DataTransfer', bootDataRequest(connection.chargerId, price));
    if (refusesBootData(answer.status)) deps.setDialect(connection, 'ocpp1.6');
  } catch (error) {
    if (error instanceof OcppError) deps.setDialect(connection, 'ocpp1.6');
    else connection.log.info({ err: error }, 'BootData not answered');
  }
}
