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
 * Sends the ChangeAvailability of the whole charger an admin asked for while it was
 * offline and gives the charger's answer. The request is let go once the charger answered
 * (whatever it answered; an admin asks again after a Rejected), kept when it could not be sent.
 */
export async function sendPendingAvailability(db: Db, gateway: ChargerGateway, chargerId: ChargerId, type: AvailabilityType): Promise<AvailabilityAnswer> {
  const answer = await gateway.send(chargerId, 'ChangeAvailability', { connectorId: 0, type }, { subsystem: 'availability' });
  await db.updateTable('chargers').set({ pending_availability: null }).where('id', '=', chargerId).where('pending_availability', '=', type).execute();
  return answer.status;
}

/**
 * After each accepted boot of a standard charger, on the node that holds its socket: learns
 * its connector count while it is unknown, then sends what an admin set while it was
 * offline. Returns the way to stop listening.
 */
export function availabilityOnBoot(bus: Bus, db: Db, gateway: ChargerGateway, logger: Logger): () => void {
  return bus.subscribe('chargerBooted', ({ chargerId, facts }, origin) => {
    if (!origin.local || (!facts.connectorCountUnknown && !facts.pendingAvailability)) return;
    void (async () => {
      if (facts.connectorCountUnknown) {
        const count = await learnConnectorCount(db, gateway, chargerId).catch((error: unknown) => {
          logger.info({ chargerId, err: error }, 'could not learn the connector count');
          return undefined;
        });
        logger.debug({ chargerId, count }, count === undefined ? 'connector count not given' : 'connector count learnt');
      }
      const type = facts.pendingAvailability;
      if (!type || (await gateway.dialectOf(chargerId).catch(() => undefined)) !== 'ocpp1.6') return;
      const answer = await sendPendingAvailability(db, gateway, chargerId, type).catch((error: unknown) => {
        logger.warn({ chargerId, err: error }, 'could not send the availability set while the charger was offline');
        return undefined;
      });
      if (answer) logger.info({ chargerId, answer }, 'availability set while offline sent');
    })();
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
  /**
   * The ChangeAvailability sent and the charger's answer, or `Pending` when the charger is
   * offline and gets it after its next boot; absent when none applies.
   */
  availability?: { type: AvailabilityType; status: AvailabilityAnswer | 'Pending' };
}

/**
 * An admin sets a charger's status (PUT /chargers/:id). Unavailable or Available for a
 * connected standard charger is a ChangeAvailability of the whole charger: the status is
 * stored only when the charger accepted (it then reports it too); Scheduled or Rejected
 * leave the status to the charger. For an offline standard charger the status is stored
 * and the ChangeAvailability waits for its next boot (the last one asked for counts). Any
 * other status, and the FlexiCharge charger (which has no ChangeAvailability), get the
 * status stored, as the apps' override, until the charger reports again.
 */
export async function changeStatus(db: Db, gateway: ChargerGateway, chargerId: ChargerId, status: ChargerStatus, userId: UserId | undefined): Promise<StatusChange> {
  const type = availabilityOfStatus(status);
  if (!type) return { store: true };
  const dialect = await gateway.dialectOf(chargerId);
  if (dialect === undefined) {
    const waiting = await db.updateTable('chargers').set({ pending_availability: type })
      .where('id', '=', chargerId).where('dialect', '=', 'ocpp1.6').executeTakeFirst();
    return waiting.numUpdatedRows > 0n ? { store: true, availability: { type, status: 'Pending' } } : { store: true };
  }
  if (dialect !== 'ocpp1.6') return { store: true };
  const answer = await gateway.send(chargerId, 'ChangeAvailability', { connectorId: 0, type }, { subsystem: 'availability', ...(userId !== undefined ? { userId } : {}) });
  // What the charger answered now replaces anything asked for while it was offline.
  await db.updateTable('chargers').set({ pending_availability: null }).where('id', '=', chargerId).execute();
  return { store: answer.status === 'Accepted', availability: { type, status: answer.status } };
}
