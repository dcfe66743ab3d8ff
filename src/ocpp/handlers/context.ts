import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import type { BootInfo } from '../../domain/chargerPresence.ts';
import type { Authorizer } from '../../domain/authorization.ts';
import type { ChargingEvents } from '../../domain/events.ts';
import type { TransactionRecorder } from '../../domain/transactions.ts';
import type { CallOutcome, ChargerConnection } from '../connection.ts';
import type { ChargerAction, ChargerRequest, ChargerResponse } from '../protocol/chargerMessages.ts';
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
}

/**
 * A handler's answer: exactly its schema's response. Handlers declare it as their return
 * type, since TypeScript refuses a field the response does not have only where the type is
 * declared (test/types/handlerAnswers.ts).
 */
export type Answer<A extends ChargerAction> = CallOutcome<ChargerResponse<A>>;

export type Handler<A extends ChargerAction> = (deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<A>, id: MessageId) => Promise<Answer<A>>;
