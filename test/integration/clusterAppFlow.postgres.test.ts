import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountFor } from '../../src/domain/sessions/price.ts';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { TestCluster, type ClusterResponse } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

/** One charger on each node; the app's session runs on node c's. */
const CHARGERS = { a: { id: 100001, serial: 'abc111' }, b: { id: 100002, serial: 'abc112' }, c: { id: 100003, serial: 'abc113' } } as const;
/** A second charger on node c. */
const SECOND_ON_C = { id: 100004, serial: 'abc114' };
const READINGS = 4;

interface SentCall {
  id: string;
  action: string;
  payload: any;
}

describe('the app\'s session across three nodes: HTTP on a, live socket on b, charger on c', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  const sims: ChargerSimulator[] = [];
  const sockets: RawCharger[] = [];

  beforeAll(async () => {
    nats = await NatsServer.start();
    // The database gets a running session's summary once per interval; the live view must not depend on it.
    cluster = await TestCluster.start({ natsUrl: nats.url, env: { LIVEMETRICS_DB_UPDATE_INTERVAL: '600000' } });
    await cluster.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [...Object.values(CHARGERS).map((c) => c.id), SECOND_ON_C.id]).execute();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    for (const sim of sims) sim.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  it('creates, starts, shows live metrics once each on b and the live energy on a, and stops with the right energy and price', async () => {
    const [a, b, c] = [cluster.node('a'), cluster.node('b'), cluster.node('c')];
    const sent: SentCall[] = [];
    let driverSim!: ChargerSimulator;
    for (const [nodeId, { serial }] of Object.entries(CHARGERS)) {
      const sim = new ChargerSimulator({
        url: cluster.node(nodeId).chargerUrl(serial),
        meterValueIntervalMs: 0,
        // 1 Wh per ms: every reading differs from the one before.
        powerW: 3_600_000,
        batteryWh: 100_000_000,
        meterStartWh: 10_000,
        ...(nodeId === 'c' && {
          onFrame: (direction: 'in' | 'out', text: string) => {
            const frame = JSON.parse(text);
            if (direction === 'out' && frame[0] === 2) sent.push({ id: frame[1], action: frame[2], payload: frame[3] });
          },
        }),
      });
      sims.push(sim);
      await sim.connect();
      await sim.boot();
      if (nodeId === 'c') driverSim = sim;
    }
    // Each charger is held by the node it connected to, and every node shows it online.
    for (const [nodeId, { id }] of Object.entries(CHARGERS)) {
      await until(async () => (await cluster.db.selectFrom('chargers').select('node_id').where('id', '=', id).executeTakeFirstOrThrow()).node_id === nodeId, 30_000);
      for (const node of [a, b, c]) expect((await cluster.charger(node, id)).online, `${id} on ${node.id} (${cluster.lapses()})`).toBe(true);
    }

    const driver = await cluster.createUser(a);
    const phone = await RawCharger.connect(`${b.ocpp}/user/${driver.id}?token=${driver.token}`, { protocols: [] });
    sockets.push(phone);

    const chargerId = CHARGERS.c.id;
    const created = await a.request('POST', '/transaction', { token: driver.token, body: { connectorID: chargerId, paymentType: 'klarna' } });
    expect(created.status, created.text).toBe(201);
    const id: number = created.body.transactionID;
    // The reservation reached the charger on c.
    expect(driverSim.received.some((frame) => frame[0] === 2 && frame[2] === 'ReserveNow')).toBe(true);

    const starting = a.request('PUT', `/transaction/start/${id}`, { token: driver.token });
    const started = await starting;
    // Answered only once the charger on c had sent its StartTransaction.
    expect(sent.some((call) => call.action === 'StartTransaction')).toBe(true);
    expect(started.status, started.text).toBe(200);
    expect(started.body).toMatchObject({ transactionID: id, connectorID: chargerId, status: 'Charging' });
    await until(async () => driverSim.connector(1).transactionId === id, 30_000);
    const meterStart: number = sent.find((call) => call.action === 'StartTransaction')!.payload.meterStart;

    for (let i = 0; i < READINGS; i++) {
      await driverSim.sendMeterValues(1);
      // Distinct timestamps (milliseconds) and registers.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const readings = sent.filter((call) => call.action === 'MeterValues');
    expect(readings).toHaveLength(READINGS);
    const registerOf = (call: SentCall) => Number(call.payload.meterValue[0].sampledValue.find((s: any) => s.measurand === 'Energy.Active.Import.Register').value);

    // A last reading marks the end: events from c reach b in the order c published them, so once its
    // frame is on b's socket any second frame of an earlier reading would be there too.
    await driverSim.sendMeterValues(1);
    const marker = sent.filter((call) => call.action === 'MeterValues').at(-1)!;
    await phone.next((frame) => frame[2] === 'MeterValues' && frame[1] === marker.id, 30_000);
    const frames = phone.received.filter((frame) => frame[2] === 'MeterValues');
    expect(frames.map((frame) => frame[1])).toEqual([...readings.map((call) => call.id), marker.id]);
    for (const [index, call] of [...readings, marker].entries()) {
      const frame = frames[index]!;
      expect(frame[3]).toMatchObject({
        connectorId: 1,
        transactionId: id,
        timestamp: Date.parse(call.payload.meterValue[0].timestamp),
        values: { chargedSoFar: { value: registerOf(call) - meterStart, unit: 'Wh' }, chargingPower: { value: 3_600_000, unit: 'W' } },
      });
    }

    // GET on a shows the newest reading (held on c), not the database's summary of the first one.
    const newestEnergy = registerOf(marker) - meterStart;
    const live = await a.request('GET', `/transaction/${id}`, { token: driver.token });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ transactionID: id, status: 'Charging', energyWh: newestEnergy });
    const stored = await cluster.db.selectFrom('charging_sessions').select('energy_wh').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.energy_wh).toBeLessThan(newestEnergy);

    const stopped = await a.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.status, stopped.text).toBe(200);
    const stop = sent.find((call) => call.action === 'StopTransaction')!;
    expect(stop.payload.transactionId).toBe(id);
    const energy = stop.payload.meterStop - meterStart;
    expect(energy).toBeGreaterThan(newestEnergy);
    expect(stopped.body).toMatchObject({ transactionID: id, status: 'Completed', energyWh: energy });
    // The stop answers with the settled payment, whichever node settled it.
    const payment = await cluster.db.selectFrom('payments').select('status').where('session_id', '=', id).executeTakeFirstOrThrow();
    expect(stopped.body.paymentStatus, `the stop answered on a before the payment was settled (it is ${payment.status} in the database now)`).toBe('Invoiced');

    const session = await cluster.db.selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ status: 'Completed', meter_start_wh: meterStart, meter_stop_wh: stop.payload.meterStop, energy_wh: energy });
    const lines = session.price_breakdown!;
    expect(lines.reduce((sum, line) => sum + line.energyWh, 0)).toBe(energy);
    const site = await cluster.db.selectFrom('chargers').innerJoin('charge_points', 'charge_points.id', 'chargers.charge_point_id')
      .select('charge_points.price_per_kwh_ore').where('chargers.id', '=', chargerId).executeTakeFirstOrThrow();
    for (const line of lines) {
      const tariff = await cluster.db.selectFrom('electricity_tariffs').select('price_per_kwh_ore').where('starts_at', '=', new Date(line.hour)).executeTakeFirstOrThrow();
      expect(line.pricePerKwhOre).toBe(site.price_per_kwh_ore + tariff.price_per_kwh_ore);
      expect(line.amountOre).toBe(amountFor(line.energyWh, line.pricePerKwhOre));
    }
    expect(session.price_ore).toBe(lines.reduce((sum, line) => sum + line.amountOre, 0));
    expect(stopped.body.price).toBe(session.price_ore);
    expect(session.price_ore).toBeGreaterThan(0);
    // No frame of the session came twice, before or after the marker.
    expect(phone.received.filter((frame) => frame[2] === 'MeterValues')).toHaveLength(READINGS + 1);
  });

  it('the stop asked on a answers with the payment settled, also when c (which stored the StopTransaction) settles it', async () => {
    const a = cluster.node('a');
    const sim = new ChargerSimulator({ url: cluster.node('c').chargerUrl(SECOND_ON_C.serial), meterValueIntervalMs: 0, powerW: 3_600_000, batteryWh: 100_000_000 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    await until(async () => (await cluster.db.selectFrom('chargers').select('node_id').where('id', '=', SECOND_ON_C.id).executeTakeFirstOrThrow()).node_id === 'c', 30_000);
    const driver = await cluster.createUser(a);
    const id: number = (await a.request('POST', '/transaction', { token: driver.token, body: { connectorID: SECOND_ON_C.id } })).body.transactionID;
    expect((await a.request('PUT', `/transaction/start/${id}`, { token: driver.token })).status).toBe(200);
    await sim.sendMeterValues(1);
    const payment = await cluster.db.selectFrom('payments').select(['id', 'status']).where('session_id', '=', id).executeTakeFirstOrThrow();
    expect(payment.status).toBe('Authorized');

    // c stored the StopTransaction and prices the session while a is paused (it has sent the
    // RemoteStopTransaction and waits for c's answer); a lock on the payment's row holds back
    // c's settlement after the pricing. The stop on a must not answer before it is settled.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockHeld = new Promise<void>((resolve) => (locked = resolve));
    const holding = cluster.db.transaction().execute(async (trx) => {
      await sql`select id from payments where id = ${payment.id} for update`.execute(trx);
      locked();
      await released;
    });
    let answeredWhileLocked = false;
    let stopped: ClusterResponse;
    let paused = false;
    sim.on('call', (action) => {
      if (action !== 'RemoteStopTransaction' || paused) return;
      paused = true;
      process.kill(a.pid, 'SIGSTOP');
    });
    try {
      await lockHeld;
      const stopping = a.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
      await until(async () => paused, 30_000);
      // Priced by c while its settlement waits for the lock; then a goes on.
      await until(async () => (await cluster.db.selectFrom('charging_sessions').select('price_ore').where('id', '=', id).executeTakeFirstOrThrow()).price_ore !== null, 30_000);
      process.kill(a.pid, 'SIGCONT');
      // How long the lock is held is no condition of the check: a stop that waits for the
      // settlement answers once it is released, one that does not answers meanwhile.
      const answered = await Promise.race([stopping.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 3_000))]);
      answeredWhileLocked = answered;
      release();
      stopped = await stopping;
    } finally {
      if (paused) process.kill(a.pid, 'SIGCONT');
      release();
      await holding;
    }
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.body.status).toBe('Completed');
    expect(stopped.body.paymentStatus, `answered while the settlement was held back: ${answeredWhileLocked}`).toBe('Invoiced');
    await until(async () => (await cluster.db.selectFrom('payments').select('status').where('id', '=', payment.id).executeTakeFirstOrThrow()).status === 'Invoiced', 30_000);
  });
});
