import type { Config } from '../../config.ts';
import type { BootInfo, BootOutcome } from '../../domain/chargerPresence.ts';
import type { ChargerCertificates } from '../../domain/certificates.ts';
import type { ChargerGateway } from '../../domain/chargerGateway.ts';
import type { ChargerStatusRecorder } from '../../domain/chargerStatus.ts';
import type { FileJobProgress } from '../../domain/fileJobProgress.ts';
import type { SecurityEventRecorder } from '../../domain/securityEvents.ts';
import type { Authorizer } from '../../domain/authorization.ts';
import type { Bus } from '../../domain/bus.ts';
import type { TransactionRecorder } from '../../domain/sessions/transactionRecorder.ts';
import type { ChargerId, Ore } from '../../domain/units.ts';
import type { CallOutcome, ChargerConnection } from '../connection.ts';
import type { ChargerAction, ChargerRequest, ChargerResponse } from '../protocol/chargerMessages.ts';
import type { MessageId } from '../protocol/frames.ts';

/** What every charger→server handler may use: domain services, never the database itself. */
export interface HandlerDeps {
  config: Config['ocpp'];
  bus: Bus;
  transactions: TransactionRecorder;
  authorizer: Authorizer;
  statuses: ChargerStatusRecorder;
  /** The firmware and diagnostics jobs that status notifications advance. */
  fileJobs: FileJobProgress;
  /** Security events, GetLog and signed-firmware statuses (Security Whitepaper). */
  securityEvents: SecurityEventRecorder;
  /** Checks and signs chargers' certificate signing requests. */
  certificates: ChargerCertificates;
  /** Commands to chargers (CertificateSigned after a SignCertificate). */
  gateway: ChargerGateway;
  /** The price per kWh at the charger now (its site's price plus this hour's tariff). */
  pricePerKwh(chargerId: ChargerId): Promise<Ore>;
  /** Stores a BootNotification (batched with others) and gives the registration status. */
  recordBoot(chargerId: ChargerId, boot: BootInfo): Promise<BootOutcome>;
}

/**
 * A handler's answer: exactly its schema's response. Handlers declare it as their return
 * type, since TypeScript refuses a field the response does not have only where the type is
 * declared (test/types/handlerAnswers.ts).
 */
export type Answer<A extends ChargerAction> = CallOutcome<ChargerResponse<A>>;

export type Handler<A extends ChargerAction> = (deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<A>, id: MessageId) => Promise<Answer<A>>;
