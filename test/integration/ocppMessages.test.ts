import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOT, RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

describe('charger → server messages (standard OCPP 1.6)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let peer: RawCharger;
  let userId: number;
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem();
    userId = (await t.createUser()).id;
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100002).execute();
    await db().insertInto('id_tags').values([
      { id_tag: 'GOOD0001', user_id: userId },
      { id_tag: 'BLOCKED1', status: 'Blocked' },
      { id_tag: 'OLDCARD1', expires_at: new Date('2020-01-01T00:00:00Z') },
      { id_tag: 'PARENT01', status: 'Blocked' },
      { id_tag: 'CHILD001', parent_id_tag: 'PARENT01' },
      { id_tag: 'FAMILY01' },
      { id_tag: 'KID00001', parent_id_tag: 'FAMILY01', user_id: userId },
    ]).execute();
    peer = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc112`);
  });
  afterAll(async () => {
    await peer?.close();
    await t?.close();
  });

  it('BootNotification stores the charger details and answers Accepted with the heartbeat interval; a standard charger is asked its connector count, and gets no BootData', async () => {
    const boot = { ...BOOT, chargePointSerialNumber: 'SN-1', chargeBoxSerialNumber: 'BOX-1', firmwareVersion: '1.2.3', meterType: 'M', meterSerialNumber: 'MS' };
    const answer = await peer.call('BootNotification', boot);
    expect(answer[2]).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(Math.abs(Date.parse(answer[2].currentTime) - Date.now())).toBeLessThan(60_000);
    const row = await db().selectFrom('chargers').selectAll().where('id', '=', 100002).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ vendor: 'Acme', model: 'Volt-22', charge_point_serial: 'SN-1', firmware_version: '1.2.3', meter_serial: 'MS' });
    expect(row.booted_at).toBeInstanceOf(Date);
    const asked = await peer.nextCall('GetConfiguration');
    expect(asked[3]).toEqual({ key: ['NumberOfConnectors'] });
    peer.send([3, asked[1], { configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '1' }] }]);
    await peer.call('Heartbeat', {});
    expect(peer.received.some((frame) => frame[0] === 2 && frame[2] !== 'GetConfiguration')).toBe(false);
  });

  it('Heartbeat answers the current time', async () => {
    const answer = await peer.call('Heartbeat', {});
    expect(Math.abs(Date.parse(answer[2].currentTime) - Date.now())).toBeLessThan(60_000);
  });

  it('StatusNotification keeps each connector and drives the charger status the apps see', async () => {
    await peer.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    expect((await t.request('GET', '/chargers/100002')).body.status).toBe('Charging');
    await peer.call('StatusNotification', { connectorId: 0, errorCode: 'GroundFailure', status: 'Faulted', info: 'RCD tripped', vendorErrorCode: 'E42' });
    expect((await t.request('GET', '/chargers/100002')).body.status).toBe('Faulted');
    const whole = await db().selectFrom('connectors').selectAll().where('charger_id', '=', 100002).where('connector_id', '=', 0).executeTakeFirstOrThrow();
    expect(whole).toMatchObject({ status: 'Faulted', error_code: 'GroundFailure', info: 'RCD tripped', vendor_error_code: 'E42' });
    await peer.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await peer.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: new Date().toISOString() });
    expect((await t.request('GET', '/chargers/100002')).body.status).toBe('Available');
  });

  it.each([
    ['GOOD0001', 'Accepted'],
    ['good0001', 'Accepted'],
    ['BLOCKED1', 'Blocked'],
    ['OLDCARD1', 'Expired'],
    ['NOSUCHTAG', 'Invalid'],
    ['CHILD001', 'Blocked'],
    ['KID00001', 'Accepted'],
  ])('Authorize %s → %s', async (idTag, status) => {
    const answer = await peer.call('Authorize', { idTag });
    expect(answer[2].idTagInfo.status).toBe(status);
  });

  it('a session started at the charger (RFID): Start, MeterValues in any unit, Stop with transactionData; ConcurrentTx meanwhile', async () => {
    const start = await peer.call('StartTransaction', { connectorId: 1, idTag: 'KID00001', meterStart: 10_000, timestamp: new Date().toISOString() });
    const transactionId = start[2].transactionId;
    expect(Number.isInteger(transactionId)).toBe(true);
    expect(start[2].idTagInfo).toEqual({ status: 'Accepted', parentIdTag: 'FAMILY01' });
    expect((await peer.call('Authorize', { idTag: 'KID00001' }))[2].idTagInfo.status).toBe('ConcurrentTx');

    const meter = await peer.call('MeterValues', {
      connectorId: 1, transactionId,
      meterValue: [{
        timestamp: new Date().toISOString(),
        sampledValue: [
          { value: '12.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' },
          { value: '7.4', unit: 'kW', measurand: 'Power.Active.Import' },
          { value: '230.1', unit: 'V', measurand: 'Voltage', phase: 'L1-N' },
          { value: '10.2', unit: 'A', measurand: 'Current.Import', phase: 'L1' },
          { value: '55', unit: 'Percent', measurand: 'SoC', location: 'EV' },
          { value: '298.15', unit: 'K', measurand: 'Temperature', location: 'Body' },
          { value: '77', unit: 'Celcius', measurand: 'Temperature' },
        ],
      }],
    });
    expect(meter).toEqual([3, meter[1], {}]);
    const samples = await db().selectFrom('meter_values').selectAll().where('session_id', '=', transactionId).execute();
    const byRaw = (a: unknown[], b: unknown[]) => String(a[2]).localeCompare(String(b[2]));
    expect(samples.map((s) => [s.measurand, s.value, s.raw_value, s.raw_unit, s.phase]).sort(byRaw)).toEqual([
      ['Energy.Active.Import.Register', 12500, '12.5', 'kWh', null],
      ['Power.Active.Import', 7400, '7.4', 'kW', null],
      ['Voltage', 230.1, '230.1', 'V', 'L1-N'],
      ['Current.Import', 10.2, '10.2', 'A', 'L1'],
      ['SoC', 55, '55', 'Percent', null],
      ['Temperature', expect.closeTo(25, 5), '298.15', 'K', null],
      ['Temperature', 77, '77', 'Celcius', null],
    ].sort(byRaw));
    const running = await db().selectFrom('charging_sessions').selectAll().where('id', '=', transactionId).executeTakeFirstOrThrow();
    expect(running).toMatchObject({ status: 'Charging', user_id: userId, energy_wh: 2500, power_w: 7400, state_of_charge_percent: 55 });

    const stop = await peer.call('StopTransaction', {
      transactionId, meterStop: 14_000, timestamp: new Date().toISOString(), idTag: 'KID00001', reason: 'EVDisconnected',
      transactionData: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '14000', context: 'Transaction.End' }] }],
    });
    expect(stop[2]).toEqual({ idTagInfo: { status: 'Accepted' } });
    const done = await db().selectFrom('charging_sessions').selectAll().where('id', '=', transactionId).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'Completed', meter_start_wh: 10_000, meter_stop_wh: 14_000, energy_wh: 4000, stop_reason: 'EVDisconnected', flags: [] });
    const end = await db().selectFrom('meter_values').select(['value', 'context']).where('session_id', '=', transactionId).where('context', '=', 'Transaction.End').execute();
    expect(end).toEqual([{ value: 14000, context: 'Transaction.End' }]);
  });

  it('answers a refused idTag at start with its status and a transactionId, and records the session', async () => {
    const start = await peer.call('StartTransaction', { connectorId: 1, idTag: 'BLOCKED1', meterStart: 0, timestamp: new Date().toISOString() });
    expect(start[2].idTagInfo.status).toBe('Blocked');
    const session = await db().selectFrom('charging_sessions').selectAll().where('id', '=', start[2].transactionId).executeTakeFirstOrThrow();
    expect(session.flags).toContain('idTagBlocked');
    await peer.call('StopTransaction', { transactionId: start[2].transactionId, meterStop: 0, timestamp: new Date().toISOString(), reason: 'DeAuthorized' });
  });

  it('makes StartTransaction and StopTransaction idempotent by content', async () => {
    const start = { connectorId: 1, idTag: 'GOOD0001', meterStart: 500, timestamp: '2026-11-20T10:00:00.000Z' };
    const first = await peer.call('StartTransaction', start);
    const again = await peer.call('StartTransaction', start);
    expect(again[2].transactionId).toBe(first[2].transactionId);
    const stop = { transactionId: first[2].transactionId, meterStop: 2500, timestamp: '2026-11-20T11:00:00.000Z' };
    const stopped = await peer.call('StopTransaction', stop);
    const stoppedAgain = await peer.call('StopTransaction', stop);
    expect(stoppedAgain[2]).toEqual(stopped[2]);
    const sessions = await db().selectFrom('charging_sessions').selectAll().where('started_at', '=', new Date(start.timestamp)).execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ energy_wh: 2000, status: 'Completed' });
    expect(sessions[0]!.flags).toContain('lateReport');
  });

  it('answers and flags a StopTransaction for an unknown or -1 transactionId, and meterStop below meterStart', async () => {
    const orphan = await peer.call('StopTransaction', { transactionId: -1, meterStop: 100, timestamp: new Date().toISOString() });
    expect(orphan[0]).toBe(3);
    const unknown = await peer.call('StopTransaction', { transactionId: 99999, meterStop: 100, timestamp: new Date().toISOString() });
    expect(unknown[0]).toBe(3);
    const flagged = await db().selectFrom('charging_sessions').select('flags').where('charger_id', '=', 100002).where('meter_start_wh', 'is', null).execute();
    expect(flagged.length).toBe(2);
    for (const row of flagged) expect(row.flags).toContain('unknownTransaction');

    const start = await peer.call('StartTransaction', { connectorId: 1, idTag: 'GOOD0001', meterStart: 9000, timestamp: new Date().toISOString() });
    const stop = await peer.call('StopTransaction', { transactionId: start[2].transactionId, meterStop: 8999, timestamp: new Date().toISOString() });
    expect(stop[0]).toBe(3);
    const session = await db().selectFrom('charging_sessions').selectAll().where('id', '=', start[2].transactionId).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ energy_wh: 0, status: 'Completed' });
    expect(session.flags).toContain('meterStopBelowMeterStart');
  });

  it('answers transaction messages that break the schema instead of refusing them', async () => {
    const start = await peer.call('StartTransaction', { connectorId: 1, idTag: 'GOOD0001', timestamp: new Date().toISOString(), extra: true });
    expect(start[0]).toBe(3);
    expect(Number.isInteger(start[2].transactionId)).toBe(true);
    const meter = await peer.call('MeterValues', { connectorId: 1, meterValue: 'garbage' });
    expect(meter).toEqual([3, meter[1], {}]);
    const stop = await peer.call('StopTransaction', { transactionId: start[2].transactionId });
    expect(stop[0]).toBe(3);
  });

  it('DataTransfer: UnknownVendorId for other vendors, UnknownMessageId for unknown FlexiCharge messages', async () => {
    expect((await peer.call('DataTransfer', { vendorId: 'com.other', messageId: 'x' }))[2]).toEqual({ status: 'UnknownVendorId' });
    expect((await peer.call('DataTransfer', { vendorId: 'com.flexicharge', messageId: 'Nope' }))[2]).toEqual({ status: 'UnknownMessageId' });
    expect((await peer.call('DataTransfer', { vendorId: 'com.flexicharge', messageId: 'ChargeLevelUpdate', data: '{"transactionId":1}' }))[2]).toEqual({ status: 'Accepted' });
  });

  it('Diagnostics and firmware status notifications are acknowledged and kept on the charger', async () => {
    expect((await peer.call('DiagnosticsStatusNotification', { status: 'Uploaded' }))[2]).toEqual({});
    expect((await peer.call('FirmwareStatusNotification', { status: 'Installed' }))[2]).toEqual({});
    const row = await db().selectFrom('chargers').select(['diagnostics_status', 'firmware_status']).where('id', '=', 100002).executeTakeFirstOrThrow();
    expect(row).toEqual({ diagnostics_status: 'Uploaded', firmware_status: 'Installed' });
  });

  it('stores every frame in and out when OCPP_MESSAGE_LOG=1', async () => {
    const logged = await startTestSystem({ OCPP_MESSAGE_LOG: '1' });
    try {
      const charger = await RawCharger.connect(`${logged.system.ocppUrl}/charger/abc113`);
      await charger.call('Heartbeat', {}, 'logged-heartbeat');
      await charger.close();
      await logged.stop();
      await logged.restart();
      const rows = await logged.system.database.db.selectFrom('ocpp_messages').selectAll().orderBy('id').execute();
      expect(rows.map((row) => [row.identity, row.direction, JSON.parse(row.frame)[1]])).toEqual([
        ['abc113', 'in', 'logged-heartbeat'],
        ['abc113', 'out', 'logged-heartbeat'],
      ]);
    } finally {
      await logged.close();
    }
  });
});
