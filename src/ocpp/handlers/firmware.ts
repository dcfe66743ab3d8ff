import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

/** Progress of a GetDiagnostics upload, kept on the charger and its job for operators. */
export async function DiagnosticsStatusNotification(
  deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'DiagnosticsStatusNotification'>,
): Promise<Answer<'DiagnosticsStatusNotification'>> {
  await deps.statuses.diagnostics(connection.chargerId, request.status);
  await deps.fileJobs.diagnostics(connection.chargerId, request.status);
  return { response: {} };
}

/** Progress of an UpdateFirmware, kept on the charger and its job for operators. */
export async function FirmwareStatusNotification(
  deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'FirmwareStatusNotification'>,
): Promise<Answer<'FirmwareStatusNotification'>> {
  await deps.statuses.firmware(connection.chargerId, request.status);
  await deps.fileJobs.firmware(connection.chargerId, request.status);
  return { response: {} };
}
