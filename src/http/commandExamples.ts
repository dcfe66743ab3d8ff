import type { CommandAction } from '../domain/chargerGateway.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2hhcmdlcg…\n-----END CERTIFICATE-----\n';
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: '5d41402abc4b2a76', issuerKeyHash: '7d793037a0760186', serialNumber: '1a2b3c' };

/**
 * For the OpenAPI document: a valid request of each command (as the operation's body
 * example) and an answer a charger may give (as the `response` of its 200 example).
 */
export const COMMAND_EXAMPLES: Record<CommandAction, { request: object; answer: Record<string, unknown> }> = {
  RemoteStartTransaction: { request: { connectorId: 1, idTag: '04A2B3C4D5E6F7' }, answer: { status: 'Accepted' } },
  RemoteStopTransaction: { request: { transactionId: 4711 }, answer: { status: 'Accepted' } },
  ReserveNow: { request: { connectorId: 1, expiryDate: '2026-06-02T09:00:00.000Z', idTag: '04A2B3C4D5E6F7', reservationId: 42 }, answer: { status: 'Accepted' } },
  CancelReservation: { request: { reservationId: 42 }, answer: { status: 'Accepted' } },
  ChangeAvailability: { request: { connectorId: 0, type: 'Inoperative' }, answer: { status: 'Scheduled' } },
  ChangeConfiguration: { request: { key: 'HeartbeatInterval', value: '300' }, answer: { status: 'Accepted' } },
  GetConfiguration: {
    request: { key: ['HeartbeatInterval'] },
    answer: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: [] },
  },
  ClearCache: { request: {}, answer: { status: 'Accepted' } },
  Reset: { request: { type: 'Soft' }, answer: { status: 'Accepted' } },
  UnlockConnector: { request: { connectorId: 1 }, answer: { status: 'Unlocked' } },
  TriggerMessage: { request: { requestedMessage: 'StatusNotification', connectorId: 1 }, answer: { status: 'Accepted' } },
  DataTransfer: { request: { vendorId: 'com.flexicharge', messageId: 'DisplayMessage', data: 'Welcome' }, answer: { status: 'Accepted' } },
  GetDiagnostics: { request: { location: 'https://files.flexicharge.example/diagnostics' }, answer: { fileName: 'diagnostics-100001.zip' } },
  UpdateFirmware: { request: { location: 'https://files.flexicharge.example/firmware-2.1.bin', retrieveDate: '2026-06-02T02:00:00.000Z' }, answer: {} },
  GetLocalListVersion: { request: {}, answer: { listVersion: 7 } },
  SendLocalList: {
    request: { listVersion: 8, updateType: 'Differential', localAuthorizationList: [{ idTag: '04A2B3C4D5E6F7', idTagInfo: { status: 'Accepted' } }] },
    answer: { status: 'Accepted' },
  },
  SetChargingProfile: {
    request: {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      },
    },
    answer: { status: 'Accepted' },
  },
  ClearChargingProfile: { request: { id: 1 }, answer: { status: 'Accepted' } },
  GetCompositeSchedule: {
    request: { connectorId: 1, duration: 3600 },
    answer: {
      status: 'Accepted', connectorId: 1, scheduleStart: '2026-06-02T08:00:00.000Z',
      chargingSchedule: { duration: 3600, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    },
  },
  CertificateSigned: { request: { certificateChain: PEM }, answer: { status: 'Accepted' } },
  InstallCertificate: { request: { certificateType: 'CentralSystemRootCertificate', certificate: PEM }, answer: { status: 'Accepted' } },
  GetInstalledCertificateIds: { request: { certificateType: 'CentralSystemRootCertificate' }, answer: { status: 'Accepted', certificateHashData: [HASH] } },
  DeleteCertificate: { request: { certificateHashData: HASH }, answer: { status: 'Accepted' } },
  ExtendedTriggerMessage: { request: { requestedMessage: 'SignChargePointCertificate' }, answer: { status: 'Accepted' } },
  GetLog: { request: { log: { remoteLocation: 'https://files.flexicharge.example/logs' }, logType: 'SecurityLog', requestId: 5 }, answer: { status: 'Accepted', filename: 'security.log' } },
  SignedUpdateFirmware: {
    request: {
      requestId: 6,
      firmware: { location: 'https://files.flexicharge.example/firmware-2.1.bin', retrieveDateTime: '2026-06-02T02:00:00.000Z', signingCertificate: PEM, signature: 'c2lnbmF0dXJl' },
    },
    answer: { status: 'Accepted' },
  },
};
