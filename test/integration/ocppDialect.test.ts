import { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

/** The constant id the FlexiCharge charger uses for every CALL but MeterValues. */
const SAME_ID = '0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v';
const AVT_BOOT = {
  chargePointVendor: 'AVT-Company', chargePointModel: 'AVT-Express', chargePointSerialNumber: 'avt.001.13.1',
  chargeBoxSerialNumber: 'avt.001.13.1.01', firmwareVersion: '0.9.87', iccid: '', imsi: '', meterType: 'AVT NQC-ACDC',
  meterSerialNumber: 'avt.001.13.1.01',
};

describe('the FlexiCharge charger dialect', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  const db = () => t.system.database.db;
  const session = (id: number) => db().selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestSystem();
    await db().insertInto('id_tags').values({ id_tag: '1' }).execute();
    // An earlier session 1, so that the charger's hard-coded transactionId 1 is not the real one; the
    // restarted system reserves its transaction ids after it.
    const earlier = await db().insertInto('charging_sessions').values({ charger_id: 100001, status: 'Completed' }).returning('id').executeTakeFirstOrThrow();
    await db().updateTable('charging_sessions').set({ id: 1 }).where('id', '=', earlier.id).execute();
    await t.restart();
  });
  afterAll(() => t?.close());

  it('runs the exact charger conversation of the client contract: boot → BootData → reserve → start → meter values → stop', async () => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc119`);

    charger.send([2, SAME_ID, 'BootNotification', AVT_BOOT]);
    const boot = await charger.answerTo(SAME_ID);
    expect(boot).toHaveLength(3);
    expect(boot[2]).toMatchObject({ status: 'Accepted', interval: 300 });
    const bootData = await charger.nextCall('DataTransfer');
    expect(bootData[3]).toMatchObject({ vendorId: 'com.flexicharge', messageId: 'BootData' });
    const data = JSON.parse(bootData[3].data);
    expect(data.connectorID).toBe(100009);
    expect(typeof data.chargingPrice).toBe('number');
    expect(data.chargingPrice).toBeGreaterThan(3.29);
    charger.send([3, bootData[1], 'DataTransfer', { status: 'Accepted' }]);

    const reserve = t.system.gateway.send(100009, 'ReserveNow', {
      connectorId: 1, expiryDate: new Date(Date.now() + 300_000).toISOString(), idTag: '1', reservationId: 5,
    }, { subsystem: 'operator' });
    const reserveCall = await charger.nextCall('ReserveNow');
    expect(reserveCall[3]).toMatchObject({ connectorID: 1, idTag: 1, reservationID: 5 });
    expect(typeof reserveCall[3].expiryDate).toBe('string');
    charger.send([2, SAME_ID, 'StatusNotification', { connectorId: '1', errorCode: '', status: 'Reserved' }]);
    expect(await charger.answerTo(SAME_ID)).toEqual([3, SAME_ID, {}]);
    charger.send([3, reserveCall[1], 'ReserveNow', { status: 'Accepted' }]);
    await expect(reserve).resolves.toEqual({ status: 'Accepted' });
    expect((await t.request('GET', '/chargers/100009')).body.status).toBe('Reserved');

    const start = t.system.gateway.send(100009, 'RemoteStartTransaction', { connectorId: 1, idTag: '1' }, { subsystem: 'operator' });
    const startCall = await charger.nextCall('RemoteStartTransaction');
    expect(startCall[3]).toMatchObject({ connectorID: 1, idTag: 1 });
    charger.send([3, startCall[1], 'RemoteStartTransaction', { status: 'Accepted' }]);
    charger.send([2, SAME_ID, 'StartTransaction', { connectorId: '1', id_tag: null, meterStart: 0, timestamp: Date.now() / 1000, reservationId: '5' }]);
    charger.send([2, SAME_ID, 'StatusNotification', { connectorId: '1', errorCode: '', status: 'Charging' }]);
    await expect(start).resolves.toEqual({ status: 'Accepted' });
    const started = await charger.answerTo(SAME_ID);
    expect(started).toHaveLength(3);
    const transactionId = started[2].transactionId;
    expect(transactionId).toBeGreaterThan(1);
    expect(started[2].idTagInfo).toEqual({ status: 'Accepted' });
    expect(await charger.answerTo(SAME_ID)).toEqual([3, SAME_ID, {}]);
    expect((await t.request('GET', '/chargers/100009')).body.status).toBe('Charging');
    expect(await session(transactionId)).toMatchObject({ status: 'Charging', id_tag: '1', meter_start_wh: 0, charger_id: 100009, connector_id: 1 });

    for (const [chargedSoFar, percent] of [[600, 21], [1200, 22]]) {
      const id = `100009MeterValues${Date.now()}`;
      charger.send([2, id, 'MeterValues', {
        connectorId: 1, transactionId: 1, timestamp: Date.now(),
        values: {
          chargingPercent: { value: percent, unit: '%', measurand: 'SoC' },
          chargingPower: { value: 7400, unit: 'W', measurand: 'Power.Active,Import' },
          chargedSoFar: { value: chargedSoFar, unit: 'Wh', measurand: 'Energy.Active.Import' },
        },
      }]);
      expect(await charger.answerTo(id)).toEqual([3, id, {}]);
    }
    // Written at most once per LIVEMETRICS_DB_UPDATE_INTERVAL: the first reading now, the newest in memory.
    expect(await session(transactionId)).toMatchObject({ energy_wh: 600, state_of_charge_percent: 21, power_w: 7400 });
    expect(t.system.summaries.live(transactionId)).toMatchObject({ energyWh: 1200, socPercent: 22, powerW: 7400 });

    const stop = t.system.gateway.send(100009, 'RemoteStopTransaction', { transactionId }, { subsystem: 'operator' });
    const stopCall = await charger.nextCall('RemoteStopTransaction');
    expect(stopCall[3]).toMatchObject({ transactionID: transactionId });
    charger.send([3, stopCall[1], 'RemoteStopTransaction', { status: 'Accepted' }]);
    charger.send([2, SAME_ID, 'StatusNotification', { connectorId: '1', errorCode: '', status: 'Available' }]);
    charger.send([2, SAME_ID, 'StopTransaction', { idTag: null, meterStop: 2500, timestamp: Date.now() / 1000, transactionId: 1, reason: 'Remote', transactionData: null }]);
    await expect(stop).resolves.toEqual({ status: 'Accepted' });
    expect(await charger.answerTo(SAME_ID)).toEqual([3, SAME_ID, {}]);
    expect(await charger.answerTo(SAME_ID)).toEqual([3, SAME_ID, {}]);
    const done = await session(transactionId);
    expect(done).toMatchObject({ status: 'Completed', meter_stop_wh: 2500, energy_wh: 2500, stop_reason: 'Remote', state_of_charge_percent: 22 });
    expect(t.system.summaries.live(transactionId)).toBeUndefined();
    expect(done.flags).toContain('reconciledTransactionId');
    expect((await t.request('GET', '/chargers/100009')).body.status).toBe('Available');
    expect((await db().selectFrom('chargers').select('dialect').where('id', '=', 100009).executeTakeFirstOrThrow()).dialect).toBe('flexicharge');
    await charger.close();
  });

  it("passes the seed document's manual Postman flow (no subprotocol, the server's uniqueID reused for StartTransaction)", async () => {
    const person = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`, { protocols: [] });
    const start = t.system.gateway.send(100001, 'RemoteStartTransaction', { connectorId: 1, idTag: '1' }, { subsystem: 'operator' });
    const [, uniqueId, action] = await person.nextCall();
    expect(action).toBe('RemoteStartTransaction');
    person.send([3, uniqueId, 'RemoteStartTransaction', { status: 'Accepted' }]);
    person.send([2, uniqueId, 'StartTransaction', { connectorId: 1, idTag: 1, meterStart: 1, reservationId: 1, timestamp: 1664957184974 }]);
    await expect(start).resolves.toEqual({ status: 'Accepted' });
    const started = await person.next((frame) => frame[0] === 3 && frame[1] === uniqueId);
    const transactionId = started[2].transactionId;
    expect(await session(transactionId)).toMatchObject({ status: 'Charging', meter_start_wh: 1, started_at: new Date(1664957184974) });

    person.send([2, 'uniqueID', 'MeterValues', {
      connectorId: 1, transactionId: 1, timestamp: 1664957184974,
      values: {
        chargingPercent: { value: 0, unit: '%', measurand: 'SoC' },
        chargingPower: { value: 0, unit: 'W', measurand: 'Power.Active.Import' },
        chargedSoFar: { value: 0, unit: 'Wh', measurand: 'Energy.Active.Import.Interval' },
      },
    }]);
    expect(await person.answerTo('uniqueID')).toEqual([3, 'uniqueID', {}]);
    person.send([2, 'UNIQUE_ID', 'StatusNotification', { errorCode: 'NoError', status: 'Available' }]);
    expect(await person.answerTo('UNIQUE_ID')).toEqual([3, 'UNIQUE_ID', {}]);
    person.send([2, 'UNIQUE_ID_HERE', 'StopTransaction', { connectorId: 1, idTag: 1, meterStop: 1, reservationId: 1, transactionId: 1, timestamp: 1664957184974 }]);
    const stopped = await person.answerTo('UNIQUE_ID_HERE');
    expect(stopped[0]).toBe(3);
    expect(await session(transactionId)).toMatchObject({ status: 'Completed', energy_wh: 0 });
    await person.close();
  });

  it("attributes MeterValues with the hard-coded transactionId 1 to the running session even when session 1 was this charger's", async () => {
    await db().updateTable('charging_sessions').set({ charger_id: 100008, connector_id: 1, status: 'Completed' }).where('id', '=', 1).execute();
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc118`);
    charger.send([2, SAME_ID, 'StartTransaction', { connectorId: '1', id_tag: '1', meterStart: 0, timestamp: Date.now() / 1000, reservationId: null }]);
    const transactionId = (await charger.answerTo(SAME_ID))[2].transactionId;
    expect(transactionId).not.toBe(1);
    const id = `100008MeterValues${Date.now()}`;
    charger.send([2, id, 'MeterValues', { connectorId: 1, transactionId: 1, timestamp: Date.now(), values: { chargedSoFar: { value: 321, unit: 'Wh', measurand: 'Energy.Active.Import' } } }]);
    await charger.answerTo(id);
    expect(t.system.summaries.live(transactionId)?.energyWh).toBe(321);
    const samples = await db().selectFrom('meter_values').select('session_id').where('charger_id', '=', 100008).execute();
    expect(samples.map((sample) => sample.session_id)).toEqual([transactionId]);
    await charger.close();
  });

  it('learns that a seeded charger speaks standard OCPP when it refuses BootData, and then sends it strictly valid commands', async () => {
    const client = new RPCClient({ endpoint: `${t.system.ocppUrl}/charger`, identity: 'abc117', protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as never);
    const reservations: unknown[] = [];
    client.handle('ReserveNow', async ({ params }) => {
      reservations.push(params);
      return { status: 'Accepted' };
    });
    await client.connect();
    try {
      const boot = (await client.call('BootNotification', { chargePointVendor: 'Std', chargePointModel: 'S1' })) as { status: string };
      expect(boot.status).toBe('Accepted');
      const dialect = async () => (await db().selectFrom('chargers').select('dialect').where('id', '=', 100007).executeTakeFirstOrThrow()).dialect;
      for (let i = 0; i < 100 && (await dialect()) !== 'ocpp1.6'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await dialect()).toBe('ocpp1.6');
      const answer = await t.system.gateway.send(100007, 'ReserveNow', { connectorId: 1, expiryDate: new Date(Date.now() + 60_000).toISOString(), idTag: 'TAG-1', reservationId: 9 }, { subsystem: 'operator' });
      expect(answer).toEqual({ status: 'Accepted' });
      expect(reservations[0]).toEqual({ connectorId: 1, expiryDate: expect.any(String), idTag: 'TAG-1', reservationId: 9 });
    } finally {
      await client.close({ force: true });
    }
  });
});
