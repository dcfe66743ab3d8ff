import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { Bus } from './bus.ts';
import type { ChargerGateway } from './chargerGateway.ts';
import { getCharger } from './chargers.ts';
import { connectorCountOf, connectorFor, ensureConnectors } from './connectors.ts';
import { DomainError } from './errors.ts';
import type { ChargerId, ChargerStatus, ConnectorId, UserId } from './units.ts';

/** OCPP 1.6 ChangeAvailability: Operative puts a connector (or the charger) back in service, Inoperative takes it out. */
export type AvailabilityType = 'Operative' | 'Inoperative';
/** The charger's answer; Scheduled: a transaction runs there, the change follows when it ends. */
export type AvailabilityAnswer = 'Accepted' | 'Rejected' | 'Scheduled';

/**
 * Sends ChangeAvailability for connector `connectorId` (0: the whole charger) and gives
 * the charger's answer. The charger reports the change itself, with StatusNotifications.
 * The FlexiCharge charger never answers ChangeAvailability, so it is not asked.
 */
export async function changeAvailability(
  db: Db, gateway: ChargerGateway, chargerId: ChargerId, type: AvailabilityType, connectorId: ConnectorId, userId: UserId | undefined,
): Promise<AvailabilityAnswer> {
  await getCharger(db, chargerId);
  if (connectorId > 0) await connectorFor(db, chargerId, connectorId);
  const dialect = await gateway.dialectOf(chargerId);
  if (!dialect) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} is not connected`);
  if (dialect === 'flexicharge') {
    throw new DomainError('conflict', ['notSupportedByCharger'], `Charger ${chargerId} speaks the FlexiCharge dialect, which has no ChangeAvailability`);
  }
  const answer = await gateway.send(chargerId, 'ChangeAvailability', { connectorId, type }, { subsystem: 'availability', ...(userId !== undefined ? { userId } : {}) });
  return answer.status;
}

/**
 * Asks a standard charger for NumberOfConnectors and makes sure each of its connectors is
 * known, so a connector that has not reported yet can be listed (without a status) and
 * chosen. A charger that refuses (CALLERROR), does not know the key or gives no believable
 * count is known by its StatusNotifications only. Gives the count learnt.
 */
export async function learnConnectorCount(db: Db, gateway: ChargerGateway, chargerId: ChargerId): Promise<number | undefined> {
  // The FlexiCharge charger never answers GetConfiguration (and has one connector): asking would hold its commands for a timeout.
  if ((await gateway.dialectOf(chargerId)) !== 'ocpp1.6') return undefined;
  const answer = await gateway.send(chargerId, 'GetConfiguration', { key: ['NumberOfConnectors'] }, { subsystem: 'availability' });
  const count = connectorCountOf(answer);
  if (count !== undefined) await ensureConnectors(db, chargerId, count);
  return count;
}

/**
 * After each accepted boot, on the node that holds the charger's socket, learns its
 * connector count. Returns the way to stop listening.
 */
export function learnConnectorsOnBoot(bus: Bus, db: Db, gateway: ChargerGateway, logger: Logger): () => void {
  return bus.subscribe('chargerBooted', ({ chargerId }, origin) => {
    if (!origin.local) return;
    learnConnectorCount(db, gateway, chargerId).then(
      (count) => logger.debug({ chargerId, count }, count === undefined ? 'connector count not given' : 'connector count learnt'),
      (error: unknown) => logger.info({ chargerId, err: error }, 'could not learn the connector count'),
    );
  });
}

/** What an admin's charger status means for its availability: Unavailable takes it out of service, Available puts it back. */
export function availabilityOfStatus(status: ChargerStatus): AvailabilityType | undefined {
  if (status === 'Unavailable') return 'Inoperative';
  if (status === 'Available') return 'Operative';
  return undefined;
}

/** How an admin's status change for a whole charger went. */
export interface StatusChange {
  /** Whether the status is stored as given (what the apps see until the charger reports again). */
  store: boolean;
  /** The ChangeAvailability sent and the charger's answer; absent when none was sent. */
  availability?: { type: AvailabilityType; status: AvailabilityAnswer };
}

/**
 * An admin sets a charger's status (PUT /chargers/:id). Unavailable or Available for a
 * connected standard charger is a ChangeAvailability of the whole charger: the status is
 * stored only when the charger accepted (it then reports it too); Scheduled or Rejected
 * leave the status to the charger. Any other status, an offline charger and a FlexiCharge
 * one (which has no ChangeAvailability) get the status stored, as the apps' override,
 * until the charger reports again.
 */
export async function changeStatus(gateway: ChargerGateway, chargerId: ChargerId, status: ChargerStatus, userId: UserId | undefined): Promise<StatusChange> {
  const type = availabilityOfStatus(status);
  if (!type || (await gateway.dialectOf(chargerId)) !== 'ocpp1.6') return { store: true };
  const answer = await gateway.send(chargerId, 'ChangeAvailability', { connectorId: 0, type }, { subsystem: 'availability', ...(userId !== undefined ? { userId } : {}) });
  return { store: answer.status === 'Accepted', availability: { type, status: answer.status } };
}
