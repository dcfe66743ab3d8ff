import type { Handler } from './context.ts';

/** Progress of a GetDiagnostics upload, kept on the charger for operators. */
export const DiagnosticsStatusNotification: Handler = async (deps, connection, payload) => {
  await deps.statuses.diagnostics(connection.chargerId, payload.status);
  return { response: {} };
};

/** Progress of an UpdateFirmware, kept on the charger for operators. */
export const FirmwareStatusNotification: Handler = async (deps, connection, payload) => {
  await deps.statuses.firmware(connection.chargerId, payload.status);
  return { response: {} };
};
