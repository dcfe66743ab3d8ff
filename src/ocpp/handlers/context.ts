import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import type { BootInfo } from '../../domain/chargerPresence.ts';
import type { Authorizer } from '../../domain/authorization.ts';
import type { ChargingEvents } from '../../domain/events.ts';
import type { TransactionRecorder } from '../../domain/sessions/transactionRecorder.ts';
import type { Dialect } from '../../domain/units.ts';
import type { CallOutcome, ChargerConnection } from '../connection.ts';
import type { MessageId } from '../protocol/frames.ts';

/** What every charger→server handler may use. */
export interface HandlerDeps {
  db: Db;
  config: Config['ocpp'];
  events: ChargingEvents;
  transactions: TransactionRecorder;
  authorizer: Authorizer;
  logger: Logger;
  /** Stores a BootNotification (batched with others) and gives the registration status. */
  recordBoot(chargerId: number, boot: BootInfo): Promise<'Accepted' | 'Pending' | 'Rejected'>;
  /** Records a dialect the charger showed (stored per charger). */
  setDialect(connection: ChargerConnection, dialect: Dialect): void;
}

export type Handler = (deps: HandlerDeps, connection: ChargerConnection, payload: any, id: MessageId) => Promise<CallOutcome>;
