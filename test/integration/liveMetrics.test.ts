import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

describe('live metrics on /user/<userId>', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let owner: { id: number; token: string };
  let stranger: { id: number; token: string };
  const sims: ChargerSimulator[] = [];
  const sockets: RawCharger[] = [];

  const userSocket = async (userId: number, token: string, how: 'query' | 'header' = 'query') => {
    const socket = how === 'query'
      ? await RawCharger.connect(`${t.system.ocppUrl}/user/${userId}?token=${token}`, { protocols: [] })
      : await RawCharger.connect(`${t.system.ocppUrl}/user/${userId}`, { protocols: [], headers: { authorization: `Bearer ${token}` } });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await startTestSystem({ LIVEMETRICS_DB_UPDATE_INTERVAL: '60000' });
    await t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100001).execute();
    owner = await t.createUser();
    stranger = await t.createUser();
  });
  afterAll(async () => {
    for (const socket of sockets) await socket.close().catch(() => undefined);
    await Promise.all(sims.map((sim) => sim.close().catch(() => undefined)));
    await t?.close();
  });

  it('refuses a missing, invalid or other user\'s token with 401 at the upgrade', async () => {
    await expect(RawCharger.connect(`${t.system.ocppUrl}/user/${owner.id}`, { protocols: [] })).rejects.toThrow('HTTP 401');
    await expect(RawCharger.connect(`${t.system.ocppUrl}/user/${owner.id}?token=garbage`, { protocols: [] })).rejects.toThrow('HTTP 401');
    await expect(RawCharger.connect(`${t.system.ocppUrl}/user/${owner.id}?token=${stranger.token}`, { protocols: [] })).rejects.toThrow('HTTP 401');
    await expect(RawCharger.connect(`${t.system.ocppUrl}/user/not-a-number?token=${owner.token}`, { protocols: [] })).rejects.toThrow('HTTP 401');
  });

  it('pushes every MeterValues of the owner\'s session to all the owner\'s devices, and to nobody else', async () => {
    const phone = await userSocket(owner.id, owner.token, 'query');
    const tablet = await userSocket(owner.id, owner.token, 'header');
    const other = await userSocket(stranger.id, stranger.token);
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc111`, meterValueIntervalMs: 0, powerW: 11_000 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();

    const created = await t.request('POST', '/transaction', { token: owner.token, body: { connectorID: 100001 } });
    const id = created.body.transactionID;
    await t.request('PUT', `/transaction/start/${id}`, { token: owner.token });
    for (let i = 0; i < 3; i++) await sim.sendMeterValues(1);

    for (const device of [phone, tablet]) {
      const frames = [];
      for (let i = 0; i < 3; i++) frames.push(await device.next((frame) => frame[2] === 'MeterValues'));
      for (const frame of frames) {
        expect(frame[0]).toBe(2);
        expect(frame[3]).toMatchObject({ connectorId: 1, transactionId: id, timestamp: expect.any(Number) });
        expect(frame[3].values.chargingPercent).toEqual({ value: expect.any(Number), unit: '%', measurand: 'SoC' });
        expect(frame[3].values.chargingPower).toEqual({ value: 11000, unit: 'W', measurand: 'Power.Active.Import' });
        expect(frame[3].values.chargedSoFar).toMatchObject({ unit: 'Wh', measurand: 'Energy.Active.Import.Interval' });
      }
      expect(frames[2]![3].values.chargedSoFar.value).toBeGreaterThanOrEqual(frames[0]![3].values.chargedSoFar.value);
    }
    // The live state is polled from memory; the database gets it once per interval.
    const polled = (await t.request('GET', `/transaction/${id}`, { token: owner.token })).body;
    expect(polled.energyWh).toBe(t.system.summaries.live(id)!.energyWh);

    await t.request('PUT', `/transaction/stop/${id}`, { token: owner.token });
    expect(other.received.filter((frame) => frame[2] === 'MeterValues')).toEqual([]);
    expect(t.system.summaries.live(id)).toBeUndefined();
  });

  it('pushes the FlexiCharge charger\'s own MeterValues in the same frame', async () => {
    const phone = await userSocket(owner.id, owner.token);
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc119`, dialect: 'flexicharge', meterValueIntervalMs: 0 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    const id = (await t.request('POST', '/transaction', { token: owner.token, body: { connectorID: 100009 } })).body.transactionID;
    await t.request('PUT', `/transaction/start/${id}`, { token: owner.token });
    await sim.sendMeterValues(1);
    const frame = await phone.next((f) => f[2] === 'MeterValues');
    expect(frame[3]).toMatchObject({ transactionId: id, values: { chargedSoFar: { unit: 'Wh' }, chargingPercent: { unit: '%' } } });
    await t.request('PUT', `/transaction/stop/${id}`, { token: owner.token });
  });

  it('reads the FlexiCharge chargedSoFar as energy since the start: register meterStart + chargedSoFar, the live frame the charger\'s own value', async () => {
    const phone = await userSocket(owner.id, owner.token);
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc112`);
    sockets.push(charger);
    const sameId = '0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v';
    charger.send([2, sameId, 'BootNotification', { chargePointVendor: 'AVT-Company', chargePointModel: 'AVT-Express' }]);
    await charger.answerTo(sameId);
    const bootData = await charger.nextCall('DataTransfer');
    charger.send([3, bootData[1], 'DataTransfer', { status: 'Accepted' }]);

    const id = (await t.request('POST', '/transaction', { token: owner.token, body: { connectorID: 100002 } })).body.transactionID;
    const starting = t.request('PUT', `/transaction/start/${id}`, { token: owner.token });
    const remoteStart = await charger.nextCall('RemoteStartTransaction');
    charger.send([3, remoteStart[1], 'RemoteStartTransaction', { status: 'Accepted' }]);
    charger.send([2, sameId, 'StartTransaction', { connectorId: '1', id_tag: null, meterStart: 1000, timestamp: Date.now() / 1000, reservationId: null }]);
    expect((await charger.answerTo(sameId))[2].transactionId).toBe(id);
    expect((await starting).status).toBe(200);

    const meterId = `100002MeterValues${Date.now()}`;
    charger.send([2, meterId, 'MeterValues', {
      connectorId: 1, transactionId: 1, timestamp: Date.now(),
      values: {
        chargingPercent: { value: 30, unit: '%', measurand: 'SoC' },
        chargingPower: { value: 7400, unit: 'W', measurand: 'Power.Active,Import' },
        chargedSoFar: { value: 500, unit: 'Wh', measurand: 'Energy.Active.Import' },
      },
    }]);
    expect(await charger.answerTo(meterId)).toEqual([3, meterId, {}]);
    const frame = await phone.next((f) => f[2] === 'MeterValues' && f[3].transactionId === id);
    expect(frame[3].values.chargedSoFar).toEqual({ value: 500, unit: 'Wh', measurand: 'Energy.Active.Import.Interval' });
    expect(t.system.summaries.live(id)?.energyWh).toBe(500);
    const register = await t.system.database.db.selectFrom('meter_values').select(['value', 'raw_value'])
      .where('session_id', '=', id).where('measurand', '=', 'Energy.Active.Import.Register').executeTakeFirstOrThrow();
    expect(register).toEqual({ value: 1500, raw_value: '1500' });

    const stopping = t.request('PUT', `/transaction/stop/${id}`, { token: owner.token });
    const remoteStop = await charger.nextCall('RemoteStopTransaction');
    charger.send([3, remoteStop[1], 'RemoteStopTransaction', { status: 'Accepted' }]);
    charger.send([2, sameId, 'StopTransaction', { idTag: null, meterStop: 1700, timestamp: Date.now() / 1000, transactionId: 1, reason: 'Remote', transactionData: null }]);
    expect((await stopping).status).toBe(200);
    const session = await t.system.database.db.selectFrom('charging_sessions').select(['meter_start_wh', 'meter_stop_wh', 'energy_wh'])
      .where('id', '=', id).executeTakeFirstOrThrow();
    expect(session).toEqual({ meter_start_wh: 1000, meter_stop_wh: 1700, energy_wh: 700 });
  });

  it('keeps no per-user state once the sockets close', async () => {
    for (const socket of sockets.splice(0)) await socket.close();
    for (let i = 0; i < 100 && t.system.live.users > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.system.live.users).toBe(0);
    expect(t.system.summaries.size).toBe(0);
  });
});
