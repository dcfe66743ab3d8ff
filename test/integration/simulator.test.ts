import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_ACTIONS, type CommandAction } from '../../src/domain/chargerGateway.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';

const now = () => new Date().toISOString();

const REQUESTS: Record<CommandAction, object> = {
  RemoteStartTransaction: { connectorId: 1, idTag: 'SIMTAG01' },
  RemoteStopTransaction: { transactionId: 999999 },
  ReserveNow: { connectorId: 2, expiryDate: new Date(Date.now() + 600_000).toISOString(), idTag: 'SIMTAG01', reservationId: 11 },
  CancelReservation: { reservationId: 11 },
  ChangeAvailability: { connectorId: 2, type: 'Inoperative' },
  ChangeConfiguration: { key: 'MeterValueSampleInterval', value: '30' },
  GetConfiguration: { key: ['MeterValueSampleInterval', 'NoSuchKey'] },
  ClearCache: {},
  Reset: { type: 'Soft' },
  UnlockConnector: { connectorId: 2 },
  TriggerMessage: { requestedMessage: 'Heartbeat' },
  DataTransfer: { vendorId: 'com.example', messageId: 'x' },
  GetDiagnostics: { location: 'https://files.example/upload' },
  UpdateFirmware: { location: 'https://files.example/fw.bin', retrieveDate: now() },
  GetLocalListVersion: {},
  SendLocalList: { listVersion: 2, updateType: 'Full', localAuthorizationList: [{ idTag: 'SIMTAG01', idTagInfo: { status: 'Accepted' } }] },
  SetChargingProfile: {
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: 2, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] },
    },
  },
  ClearChargingProfile: { id: 2 },
  GetCompositeSchedule: { connectorId: 1, duration: 600 },
  CertificateSigned: { certificateChain: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
  InstallCertificate: { certificateType: 'CentralSystemRootCertificate', certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
  GetInstalledCertificateIds: { certificateType: 'ManufacturerRootCertificate' },
  DeleteCertificate: { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '01' } },
  ExtendedTriggerMessage: { requestedMessage: 'SignChargePointCertificate' },
  GetLog: { log: { remoteLocation: 'https://files.example/logs' }, logType: 'SecurityLog', requestId: 5 },
  SignedUpdateFirmware: {
    requestId: 6,
    firmware: { location: 'https://files.example/fw.bin', retrieveDateTime: now(), signingCertificate: 'PEM', signature: 'c2ln' },
  },
};

describe('the charger simulator against the real server', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  const db = () => t.system.database.db;
  beforeAll(async () => {
    t = await startTestSystem({ OCPP_CALL_TIMEOUT: '1' });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100004, 100005, 100006]).execute();
    await db().insertInto('id_tags').values([{ id_tag: 'SIMTAG01' }, { id_tag: 'SIMTAG02' }]).execute();
  });
  afterAll(() => t?.close());

  it('answers every server → charger command', async () => {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc114`, connectors: 2, meterValueIntervalMs: 0 });
    await sim.connect();
    await sim.boot();
    const answers: Record<string, any> = {};
    // Reset last: the simulator reboots (reconnects) after answering it.
    const order = [...COMMAND_ACTIONS.filter((action) => action !== 'Reset'), 'Reset' as const];
    for (const action of order) answers[action] = await t.system.gateway.send(100004, action, REQUESTS[action] as never, { subsystem: 'operator' });
    expect(answers.Reset).toEqual({ status: 'Accepted' });
    expect(answers.RemoteStartTransaction).toEqual({ status: 'Accepted' });
    expect(answers.RemoteStopTransaction).toEqual({ status: 'Rejected' });
    expect(answers.ReserveNow).toEqual({ status: 'Accepted' });
    expect(answers.CancelReservation).toEqual({ status: 'Accepted' });
    expect(answers.GetConfiguration.unknownKey).toEqual(['NoSuchKey']);
    expect(answers.DataTransfer.status).toBe('UnknownVendorId');
    expect(answers.GetLocalListVersion).toEqual({ listVersion: 0 });
    expect(answers.SendLocalList).toEqual({ status: 'Accepted' });
    for (const action of COMMAND_ACTIONS) expect(answers[action], action).toBeDefined();
    await sim.close();
  });

  it('runs an RFID session that the server records with its energy', async () => {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc115`, meterValueIntervalMs: 50, powerW: 36_000 });
    await sim.connect();
    await sim.boot();
    const { transactionId, idTagInfo } = await sim.startLocalSession(1, 'SIMTAG02');
    expect(idTagInfo.status).toBe('Accepted');
    await new Promise<void>((resolve) => {
      const check = async () => {
        const row = await db().selectFrom('charging_sessions').select('energy_wh').where('id', '=', transactionId).executeTakeFirstOrThrow();
        if (row.energy_wh > 0) resolve();
        else setTimeout(check, 50);
      };
      void check();
    });
    await sim.stopSession(1);
    const session = await db().selectFrom('charging_sessions').selectAll().where('id', '=', transactionId).executeTakeFirstOrThrow();
    expect(session.status).toBe('Completed');
    expect(session.energy_wh).toBe(sim.connector(1).registerWh - session.meter_start_wh!);
    expect(session.energy_wh).toBeGreaterThan(0);
    await sim.close();
  });

  it('lets a command time out cleanly when the charger never answers', async () => {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc116`, behaviour: { Reset: 'ignore' } });
    await sim.connect();
    await sim.boot();
    await expect(t.system.gateway.send(100006, 'Reset', { type: 'Hard' }, { subsystem: 'operator' })).rejects.toMatchObject({ kind: 'timeout' });
    await expect(t.system.gateway.send(100006, 'ClearCache', {}, { subsystem: 'operator' })).resolves.toEqual({ status: 'Accepted' });
    await sim.close();
  });
});
