import { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_ACTIONS, type CommandAction } from '../../src/domain/chargerGateway.ts';
import { SECURITY_COMMANDS } from '../support/securityPeer.ts';
import { startTestSystem } from '../support/testSystem.ts';

const now = () => new Date().toISOString();

/** A valid request for each command, and the answer a standard charger gives. */
const COMMANDS: Record<CommandAction, [object, object]> = {
  RemoteStartTransaction: [{ connectorId: 1, idTag: 'STRICT01' }, { status: 'Accepted' }],
  RemoteStopTransaction: [{ transactionId: 4 }, { status: 'Rejected' }],
  ReserveNow: [{ connectorId: 1, expiryDate: now(), idTag: 'STRICT01', reservationId: 3 }, { status: 'Accepted' }],
  CancelReservation: [{ reservationId: 3 }, { status: 'Accepted' }],
  ChangeAvailability: [{ connectorId: 0, type: 'Inoperative' }, { status: 'Scheduled' }],
  ChangeConfiguration: [{ key: 'HeartbeatInterval', value: '600' }, { status: 'Accepted' }],
  GetConfiguration: [{ key: ['HeartbeatInterval'] }, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '600' }], unknownKey: [] }],
  ClearCache: [{}, { status: 'Accepted' }],
  Reset: [{ type: 'Soft' }, { status: 'Accepted' }],
  UnlockConnector: [{ connectorId: 1 }, { status: 'Unlocked' }],
  TriggerMessage: [{ requestedMessage: 'StatusNotification', connectorId: 1 }, { status: 'Accepted' }],
  DataTransfer: [{ vendorId: 'com.example', messageId: 'Ping', data: 'x' }, { status: 'Accepted', data: 'pong' }],
  GetDiagnostics: [{ location: 'https://files.example/upload' }, { fileName: 'diag.zip' }],
  UpdateFirmware: [{ location: 'https://files.example/fw.bin', retrieveDate: now() }, {}],
  GetLocalListVersion: [{}, { listVersion: 7 }],
  SendLocalList: [{ listVersion: 8, updateType: 'Full', localAuthorizationList: [{ idTag: 'STRICT01', idTagInfo: { status: 'Accepted' } }] }, { status: 'Accepted' }],
  SetChargingProfile: [{
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    },
  }, { status: 'Accepted' }],
  ClearChargingProfile: [{ id: 1 }, { status: 'Accepted' }],
  GetCompositeSchedule: [{ connectorId: 1, duration: 3600 }, { status: 'Rejected' }],
  ...SECURITY_COMMANDS,
};

describe('a standard charger in ocpp-rpc strict mode', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let client: RPCClient;
  const received: Record<string, unknown> = {};

  beforeAll(async () => {
    t = await startTestSystem();
    await t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100003).execute();
    await t.system.database.db.insertInto('id_tags').values({ id_tag: 'STRICT01' }).execute();
    client = new RPCClient({ endpoint: `${t.system.ocppUrl}/charger`, identity: 'abc113', protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as never);
    for (const action of COMMAND_ACTIONS) {
      client.handle(action, async ({ params }) => {
        received[action] = params;
        return COMMANDS[action][1];
      });
    }
    await client.connect();
  });
  afterAll(async () => {
    await client?.close({ force: true });
    await t?.close();
  });

  it('gets strictly valid answers to every charger → server action', async () => {
    const call = (action: string, payload: object) => client.call(action, payload) as Promise<any>;
    expect((await call('BootNotification', { chargePointVendor: 'Strict', chargePointModel: 'S-1', firmwareVersion: '2.0' })).status).toBe('Accepted');
    await call('Heartbeat', {});
    await call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available', timestamp: now() });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    expect((await call('Authorize', { idTag: 'STRICT01' })).idTagInfo.status).toBe('Accepted');
    expect((await call('Authorize', { idTag: 'UNKNOWN' })).idTagInfo.status).toBe('Invalid');
    const start = await call('StartTransaction', { connectorId: 1, idTag: 'STRICT01', meterStart: 100, timestamp: now() });
    expect(start.idTagInfo.status).toBe('Accepted');
    await call('MeterValues', {
      connectorId: 1, transactionId: start.transactionId,
      meterValue: [{ timestamp: now(), sampledValue: [{ value: '1100', measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }] }],
    });
    await call('StopTransaction', {
      transactionId: start.transactionId, meterStop: 2100, timestamp: now(), idTag: 'STRICT01', reason: 'Local',
      transactionData: [{ timestamp: now(), sampledValue: [{ value: '2100' }] }],
    });
    expect((await call('DataTransfer', { vendorId: 'com.example' })).status).toBe('UnknownVendorId');
    await call('DiagnosticsStatusNotification', { status: 'Idle' });
    await call('FirmwareStatusNotification', { status: 'Idle' });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const session = await t.system.database.db.selectFrom('charging_sessions').selectAll().where('id', '=', start.transactionId).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ status: 'Completed', energy_wh: 2000 });
  });

  it('receives every server → charger command as a strictly valid request and its answer comes back', async () => {
    for (const action of COMMAND_ACTIONS) {
      const [request, answer] = COMMANDS[action];
      await expect(t.system.gateway.send(100003, action, request as never, { subsystem: 'operator' }), action).resolves.toEqual(answer);
      expect(received[action], action).toEqual(request);
    }
  });
});
