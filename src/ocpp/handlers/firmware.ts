import type { Handler } from './context.ts';

/** Progress of a GetDiagnostics upload, kept on the charger for operators. */
export const DiagnosticsStatusNotification: Handler = async (deps, connection, payload) => {
  await deps.db.updateTable('chargers').set({ diagnostics_status: payload.status }).where('id', '=', connection.chargerId).execute();
  return { response: {} };
};

/** Progress of an UpdateFirmware, kept on the charger for operators. */
export const FirmwareStatusNotification: Handler = async (deps, connection, payload) => {
  await deps.db.updateTable('chargers').set({ firmware_status: payload.status }).where('id', '=', connection.chargerId).execute();
  return { response: {} };
};
