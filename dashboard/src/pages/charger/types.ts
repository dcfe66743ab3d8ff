/** The shapes of the server's answers this page reads (see the contract and src/http/routes). */

export interface ChargerSession {
  sessionId: number;
  connectorId: number;
  energyWh: number;
  powerW: number | null;
  startedAt: string | null;
}

export interface FleetConnector {
  connectorId: number;
  status: string | null;
  errorCode: string | null;
  statusAt: string | null;
}

/** GET /fleet/chargers/:id */
export interface ChargerDetail {
  id: number;
  serialNumber: string;
  chargePointId: number | null;
  chargePointName: string | null;
  status: string;
  registrationStatus: 'Accepted' | 'Pending' | 'Rejected';
  online: boolean;
  lastSeenAt: string | null;
  dialect: 'ocpp1.6' | 'flexicharge';
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  powerW: number | null;
  sessions: ChargerSession[];
  connectors: FleetConnector[];
}

/** GET /chargers/:id/connectors */
export interface Connector {
  connectorId: number;
  status: string | null;
  errorCode: string | null;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  statusAt: string | null;
  receivedAt: string | null;
}

/** GET /chargers/:id/status-history */
export interface StatusEntry {
  id: number;
  connectorId: number;
  status: string;
  errorCode: string;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  statusAt: string;
  receivedAt: string;
}

export interface ConfigurationKey {
  key: string;
  value: string | null;
  readonly: boolean | null;
  readAt: string | null;
  desired: { value: string; source: 'charger' | 'chargePoint' } | null;
  lastChange: { status: string; value: string; error: string | null; by: string; at: string } | null;
}

/** GET /chargers/:id/configuration */
export interface Configuration {
  chargerId: number;
  readAt: string | null;
  unknownKeys: string[];
  rebootRequired: boolean;
  keys: ConfigurationKey[];
}

/** The command history's outcomes (COMMAND_OUTCOMES of the server). */
export const COMMAND_OUTCOMES = ['pending', 'answered', 'callError', 'timeout', 'offline', 'invalid', 'unavailable', 'failed'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/** The commands the server sends (COMMAND_ACTIONS of the server), for the history's filter. */
export const COMMAND_ACTIONS = [
  'RemoteStartTransaction', 'RemoteStopTransaction', 'ReserveNow', 'CancelReservation', 'ChangeAvailability',
  'ChangeConfiguration', 'GetConfiguration', 'ClearCache', 'Reset', 'UnlockConnector', 'TriggerMessage', 'DataTransfer',
  'GetDiagnostics', 'UpdateFirmware', 'GetLocalListVersion', 'SendLocalList', 'SetChargingProfile', 'ClearChargingProfile',
  'GetCompositeSchedule', 'CertificateSigned', 'InstallCertificate', 'GetInstalledCertificateIds', 'DeleteCertificate',
  'ExtendedTriggerMessage', 'GetLog', 'SignedUpdateFirmware',
] as const;

/** GET /chargers/:id/commands */
export interface CommandEntry {
  commandId: string;
  connectorId: number | null;
  action: string;
  subsystem: string;
  userId: number | null;
  node: string;
  request: Record<string, unknown>;
  outcome: CommandOutcome;
  status: string | null;
  response: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  sentAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface CommandPage {
  commands: CommandEntry[];
  nextBefore: string | null;
}

/** GET /chargers/:id/messages */
export interface StoredFrames {
  messageLog: boolean;
  frames: { id: number; direction: 'in' | 'out'; at: string; frame: string }[];
  nextBefore: number | null;
}

/** GET /firmware */
export interface FirmwareFile {
  id: number;
  name: string;
  version: string | null;
  sizeBytes: number;
  uploadedAt: string;
}

export interface FirmwareJob {
  id: number;
  firmwareId: number | null;
  status: string;
}

/** POST /chargers/:id/diagnostics, GET /diagnostics/:jobId */
export interface DiagnosticsJob {
  id: number;
  status: string;
  fileName: string | null;
  sizeBytes: number | null;
  receivedAt: string | null;
  createdAt: string;
}

export interface MeterReading {
  at: string;
  measurand: string;
  phase: string | null;
  value: number | null;
  unit: string | null;
}

/** GET /sessions/:id (the parts the chart reads) */
export interface SessionReadings {
  session: { id: number; meterStartWh: number | null };
  meterValues: MeterReading[];
}
