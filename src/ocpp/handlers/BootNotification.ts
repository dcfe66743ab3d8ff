import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

/**
 * Stores the charger's identity data and answers with its registration status; once the
 * answer is out, a registered charger gets what its dialect expects next (BootData), and
 * the subsystems that keep what it should hold hear of the boot.
 */
export async function BootNotification(deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'BootNotification'>): Promise<Answer<'BootNotification'>> {
  const { status, facts } = await deps.recordBoot(connection.chargerId, request);
  connection.registration = status;
  return {
    response: { status, currentTime: new Date().toISOString(), interval: deps.config.heartbeatIntervalSeconds },
    after: status === 'Accepted'
      ? () => {
        void connection.dialect.registered(connection, () => deps.pricePerKwh(connection.chargerId));
        deps.bus.publish('chargerBooted', { chargerId: connection.chargerId, nodeId: deps.bus.nodeId, facts });
      }
      : undefined,
  };
}
