import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const register = (wh: number, timestamp: string, extra: object[] = []) => ({
  timestamp,
  sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, ...extra],
});

describe('what chargers report: replays, hostile values and sessions that cannot be running', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let driver: { id: number; token: string };
  const db = () => t.system.database.db;
  const session = (id: number) => db().selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const chargers: RawCharger[] = [];
  const connect = async (serial: string) => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/${serial}`);
    chargers.push(charger);
    return charger;
  };

  beforeAll(async () => {
    t = await startTestSystem({ OCPP_ORPHAN_GRACE: '1', LIVEMETRICS_DB_UPDATE_INTERVAL: '60000' });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002, 100003, 100004, 100005, 100006]).execute();
    driver = await t.createUser();
    await db().insertInto('id_tags').values([
      { id_tag: 'REPLAY01', user_id: driver.id }, { id_tag: 'TWICE001' }, { id_tag: 'PLUG0001' }, { id_tag: 'NEWTX001' }, { id_tag: 'HOSTILE1' },
    ]).execute();
  });
  afterAll(async () => {
    for (const charger of chargers) await charger.close().catch(() => undefined);
    await t?.close();
  });

  it('stores a resent MeterValues once and pushes it to the live views once', async () => {
    const charger = await connect('abc111');
    const phone = await RawCharger.connect(`${t.system.ocppUrl}/user/${driver.id}?token=${driver.token}`, { protocols: [] });
    chargers.push(phone);
    const start = await charger.call('StartTransaction', { connectorId: 1, idTag: 'REPLAY01', meterStart: 1000, timestamp: at(-60_000) });
    const transactionId = start[2].transactionId;
    const meterValues = {
      connectorId: 1, transactionId,
      meterValue: [register(1500, at(-30_000), [{ value: '7.2', unit: 'kW', measurand: 'Power.Active.Import' }, { value: '16', measurand: 'Current.Import', phase: 'L1', unit: 'A' }])],
    };
    for (let i = 0; i < 3; i++) expect((await charger.call('MeterValues', meterValues, `resent-${i}`))[0]).toBe(3);
    await phone.next((frame) => frame[2] === 'MeterValues');
    // The stop's transactionData repeats the reading once more, with the final one.
    await charger.call('StopTransaction', {
      transactionId, meterStop: 2000, timestamp: at(0), transactionData: [meterValues.meterValue[0], register(2000, at(0))],
    });
    const samples = await db().selectFrom('meter_values').select(['measurand', 'value']).where('session_id', '=', transactionId).execute();
    expect(samples.map((sample) => `${sample.measurand}=${sample.value}`).sort()).toEqual([
      'Current.Import=16', 'Energy.Active.Import.Register=1500', 'Energy.Active.Import.Register=2000', 'Power.Active.Import=7200',
    ]);
    await charger.call('Heartbeat', {});
    expect(phone.received.filter((frame) => frame[2] === 'MeterValues')).toHaveLength(1);
  });

  it('answers hostile numbers and strings in transaction messages with a CALLRESULT, storing what is usable and flagging the rest', async () => {
    const charger = await connect('abc112');
    const start = await charger.call('StartTransaction', { connectorId: 2 ** 31, idTag: 'HOSTILE1', meterStart: 1e300, timestamp: '-271821-04-20T00:00:00Z', reservationId: 2 ** 53 + 1 });
    expect(start[0]).toBe(3);
    expect(start[2].idTagInfo.status).toBe('Accepted');
    const started = await session(start[2].transactionId);
    expect(started).toMatchObject({ connector_id: null, meter_start_wh: null, status: 'Charging' });
    expect(started.flags).toEqual(expect.arrayContaining(['invalidConnectorId', 'invalidMeterStart', 'invalidTimestamp', 'invalidReservationId']));

    const meter = await charger.call('MeterValues', {
      connectorId: -2147483649, transactionId: 1e300,
      meterValue: [{ timestamp: at(0), sampledValue: [
        { value: 'abc', measurand: 'Current.Import' }, { value: '1e400', measurand: 'Current.Offered' }, { value: '0x10', measurand: 'Frequency' },
        { value: 'ok\u0000', measurand: 'Voltage\u0000' }, { value: '42' },
      ] }],
    });
    expect(meter).toEqual([3, meter[1], {}]);
    const samples = await db().selectFrom('meter_values').select(['raw_value', 'value', 'measurand']).where('session_id', '=', start[2].transactionId).orderBy('measurand').execute();
    expect(samples.map((sample) => [sample.measurand, sample.raw_value, sample.value])).toEqual([
      ['Current.Import', 'abc', null], ['Current.Offered', '1e400', null], ['Energy.Active.Import.Register', '42', 42], ['Frequency', '0x10', null], ['Voltage\uFFFD', 'ok\uFFFD', null],
    ]);

    const nulTag = await charger.call('StartTransaction', { connectorId: 1, idTag: 'HOSTILE1\u0000', meterStart: -5, timestamp: at(0) });
    expect(nulTag[2].idTagInfo.status).toBe('Invalid');
    expect((await session(nulTag[2].transactionId)).flags).toEqual(expect.arrayContaining(['invalidIdTag', 'invalidMeterStart']));

    const stop = await charger.call('StopTransaction', { transactionId: 1e300, meterStop: 2 ** 53 + 1, timestamp: 'yesterday', reason: 'x'.repeat(10_000) });
    expect(stop[0]).toBe(3);
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    charger.send(`[2,"deep-meter","MeterValues",{"connectorId":1,"meterValue":${JSON.stringify([register(10, at(0))])},"extra":${deep}}]`);
    expect(await charger.answerTo('deep-meter')).toEqual([3, 'deep-meter', {}]);
  });

  it('refuses hostile values in other messages with the matching CALLERROR, never InternalError', async () => {
    const charger = await connect('abc113');
    const expectError = async (action: string, payload: unknown, code: string) => {
      const answer = await charger.call(action, payload);
      expect([answer[0], answer[2]], `${action} ${JSON.stringify(payload).slice(0, 80)}`).toEqual([4, code]);
    };
    await expectError('StatusNotification', { connectorId: 2 ** 31, errorCode: 'NoError', status: 'Available' }, 'PropertyConstraintViolation');
    await expectError('StatusNotification', { connectorId: 2 ** 53 + 1, errorCode: 'NoError', status: 'Available' }, 'PropertyConstraintViolation');
    await expectError('StatusNotification', { connectorId: 0.5, errorCode: 'NoError', status: 'Available' }, 'TypeConstraintViolation');
    await expectError('BootNotification', { chargePointVendor: 'Acme\u0000', chargePointModel: 'X' }, 'PropertyConstraintViolation');
    await expectError('Authorize', { idTag: 'A\u0000' }, 'PropertyConstraintViolation');
    // Deeper than JSON.stringify itself can go: written by hand.
    const depth = 100_000;
    charger.send(`[2,"deep-data","DataTransfer",{"vendorId":"com.example","data":${'['.repeat(depth)}${']'.repeat(depth)}}]`);
    expect((await charger.answerTo('deep-data')).slice(0, 3)).toEqual([4, 'deep-data', 'FormationViolation']);
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
  });

  it('never lets a refused start that its charger drops block the card, and closes it after the grace', async () => {
    const charger = await connect('abc114');
    const first = await charger.call('StartTransaction', { connectorId: 1, idTag: 'TWICE001', meterStart: 0, timestamp: at(-5000) });
    expect(first[2].idTagInfo.status).toBe('Accepted');
    // The charger starts its second connector with the same card, is told ConcurrentTx, and drops that transaction.
    const second = await charger.call('StartTransaction', { connectorId: 2, idTag: 'TWICE001', meterStart: 0, timestamp: at(-4000) });
    expect(second[2].idTagInfo.status).toBe('ConcurrentTx');
    await charger.call('StopTransaction', { transactionId: first[2].transactionId, meterStop: 100, timestamp: at(-1000) });
    // The dropped one blocks nothing...
    expect((await charger.call('Authorize', { idTag: 'TWICE001' }))[2].idTagInfo.status).toBe('Accepted');
    // ...and is closed once the grace has passed.
    await until(async () => (await session(second[2].transactionId)).status === 'Completed');
    const closed = await session(second[2].transactionId);
    expect(closed).toMatchObject({ stop_reason: 'DeAuthorized', energy_wh: 0 });
    expect(closed.flags).toEqual(expect.arrayContaining(['idTagConcurrentTx', 'closedAfterRefusedStart']));
    await until(async () => (await session(second[2].transactionId)).price_ore !== null);
  });

  it('closes a session whose connector reports Available and stays so, with the energy of its last reading, and prices it', async () => {
    const charger = await connect('abc115');
    const start = await charger.call('StartTransaction', { connectorId: 1, idTag: 'PLUG0001', meterStart: 1000, timestamp: at(-60_000) });
    const id = start[2].transactionId;
    await charger.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [register(1400, at(-30_000))] });
    const lastReadingAt = at(-20_000);
    await charger.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [register(1600, lastReadingAt)] });
    await charger.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await until(async () => (await session(id)).price_ore !== null);
    const closed = await session(id);
    expect(closed).toMatchObject({ status: 'Completed', energy_wh: 600, meter_stop_wh: 1600, stop_reason: 'Other', stopped_at: new Date(lastReadingAt) });
    expect(closed.flags).toContain('closedByConnectorStatus');

    // The charger's own stop still arrives (it was queued): its reading wins and the price is made anew.
    await charger.call('StopTransaction', { transactionId: id, meterStop: 1800, timestamp: at(-10_000), reason: 'EVDisconnected' });
    await until(async () => (await session(id)).price_ore !== null && (await session(id)).energy_wh === 800);
    const stopped = await session(id);
    expect(stopped).toMatchObject({ meter_stop_wh: 1800, stop_reason: 'EVDisconnected' });
    expect(stopped.flags).toEqual(expect.arrayContaining(['closedByConnectorStatus', 'stoppedAfterClose']));
  });

  it('closes the session a new StartTransaction on the same connector replaces, at once', async () => {
    const charger = await connect('abc116');
    const old = await charger.call('StartTransaction', { connectorId: 1, idTag: 'NEWTX001', meterStart: 0, timestamp: at(-120_000) });
    await charger.call('MeterValues', { connectorId: 1, transactionId: old[2].transactionId, meterValue: [register(700, at(-100_000))] });
    // The charger lost that session's stop; the same card starts again on the same connector.
    const next = await charger.call('StartTransaction', { connectorId: 1, idTag: 'NEWTX001', meterStart: 900, timestamp: at(-1000) });
    expect(next[2].idTagInfo.status).toBe('Accepted');
    const closed = await session(old[2].transactionId);
    expect(closed).toMatchObject({ status: 'Completed', energy_wh: 700 });
    expect(closed.flags).toContain('closedByNewTransaction');
    expect((await session(next[2].transactionId)).status).toBe('Charging');
  });
});
