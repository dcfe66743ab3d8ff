import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

/**
 * The charger→server messages of the OCPP 1.6 Security Whitepaper (edition 3). The
 * server→charger ones are commands (domain/chargerGateway.ts).
 */

/** A security event: stored for operators; a critical one (securityEvents.ts) is logged at warn. */
export async function SecurityEventNotification(
  deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'SecurityEventNotification'>,
): Promise<Answer<'SecurityEventNotification'>> {
  const { critical } = await deps.securityEvents.event(connection.chargerId, request);
  const fields = { type: request.type, techInfo: request.techInfo, at: request.timestamp };
  if (critical) connection.log.warn(fields, 'critical security event');
  else connection.log.info(fields, 'security event');
  return { response: {} };
}

/**
 * A certificate signing request for the charger's own certificate: checked and signed by
 * the operator's CA, answered Accepted, and the chain sent in CertificateSigned once the
 * answer is out; Rejected (with the reason in the log) when it fails a check or no CA is
 * configured.
 */
export async function SignCertificate(
  deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'SignCertificate'>,
): Promise<Answer<'SignCertificate'>> {
  const outcome = await deps.certificates.sign(connection.identity, request.csr);
  if (!outcome.accepted) {
    connection.log.warn({ reason: outcome.reason }, 'certificate signing request rejected');
    return { response: { status: 'Rejected' } };
  }
  connection.log.info('certificate signing request accepted');
  return {
    response: { status: 'Accepted' },
    after: () => {
      deps.gateway.send(connection.chargerId, 'CertificateSigned', { certificateChain: outcome.certificateChain }, { subsystem: 'security' }).then(
        (answer) => connection.log.info({ status: answer.status }, 'CertificateSigned answered'),
        (error: unknown) => connection.log.warn({ err: error }, 'CertificateSigned failed'),
      );
    },
  };
}

/** Progress of a GetLog upload: logged and stored. */
export async function LogStatusNotification(
  deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'LogStatusNotification'>,
): Promise<Answer<'LogStatusNotification'>> {
  await deps.securityEvents.status(connection.chargerId, 'log', request.status, request.requestId);
  connection.log.info({ status: request.status, requestId: request.requestId }, 'log upload status');
  return { response: {} };
}

/** Progress of a SignedUpdateFirmware: the charger's firmware status, as FirmwareStatusNotification sets it, and stored. */
export async function SignedFirmwareStatusNotification(
  deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'SignedFirmwareStatusNotification'>,
): Promise<Answer<'SignedFirmwareStatusNotification'>> {
  await deps.statuses.firmware(connection.chargerId, request.status);
  await deps.securityEvents.status(connection.chargerId, 'firmware', request.status, request.requestId);
  if (request.status === 'InvalidSignature' || request.status === 'InstallVerificationFailed') {
    connection.log.warn({ status: request.status, requestId: request.requestId }, 'signed firmware refused by the charger');
  }
  return { response: {} };
}
