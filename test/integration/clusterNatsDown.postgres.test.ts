import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { TestCluster, type ClusterNode } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

/** 100001 is on a from the start; 100002 connects to a while NATS is down. */
const CHARGERS = [{ id: 100001, serial: 'abc111' }, { id: 100002, serial: 'abc112' }] as const;

describe('NATS down: each node serves its own chargers, asks for others\' are refused, and all is well once NATS is back', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  let admin: string;
  let a: ClusterNode;
  let b: ClusterNode;
  const sims: ChargerSimulator[] = [];

  async function simulate(node: ClusterNode, serial: string): Promise<ChargerSimulator> {
    const sim = new ChargerSimulator({ url: node.chargerUrl(serial), meterValueIntervalMs: 0, powerW: 3_600_000, batteryWh: 100_000_000, meterStartWh: 5_000 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    return sim;
  }

  const command = (node: ClusterNode, chargerId: number) =>
    node.request('POST', `/chargers/${chargerId}/commands/GetConfiguration`, { token: admin, body: { key: ['HeartbeatInterval'] }, timeoutMs: 90_000 });

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, nodes: ['a', 'b'] });
    await cluster.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', CHARGERS.map((charger) => charger.id)).execute();
    [a, b] = [cluster.node('a'), cluster.node('b')];
    admin = await cluster.adminToken();
  });
  afterAll(async () => {
    for (const sim of sims) sim.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  it('while NATS is down, the charger\'s node serves it (commands, a whole session) and another node answers 503 clusterUnavailable', async () => {
    const sim = await simulate(a, CHARGERS[0].serial);
    await cluster.untilOnline(b, CHARGERS[0].id, true);
    expect((await command(b, CHARGERS[0].id)).status).toBe(200);
    const driver = await cluster.createUser(a);

    await nats.stop();
    // Once b's client has noticed, its asks fail at once instead of waiting for an answer.
    let refused = await command(b, CHARGERS[0].id);
    await until(async () => (refused = await command(b, CHARGERS[0].id)).status !== 200, 30_000);
    expect(refused.status, refused.text).toBe(503);
    expect(refused.body.code).toBe('clusterUnavailable');

    const local = await command(a, CHARGERS[0].id);
    expect(local.status, local.text).toBe(200);
    expect(local.body.response.configurationKey).toEqual([expect.objectContaining({ key: 'HeartbeatInterval' })]);

    // A whole session through a's HTTP API, on a's charger.
    const created = await a.request('POST', '/transaction', { token: driver.token, body: { connectorID: CHARGERS[0].id } });
    expect(created.status, created.text).toBe(201);
    const id: number = created.body.transactionID;
    const started = await a.request('PUT', `/transaction/start/${id}`, { token: driver.token });
    expect(started.status, started.text).toBe(200);
    expect(started.body.status).toBe('Charging');
    await sim.sendMeterValues(1);
    const live = await a.request('GET', `/transaction/${id}`, { token: driver.token });
    expect(live.body.energyWh).toBeGreaterThan(0);
    const stopped = await a.request('PUT', `/transaction/stop/${id}`, { token: driver.token });
    expect(stopped.status, stopped.text).toBe(200);
    const session = await cluster.db.selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(session.status).toBe('Completed');
    expect(session.energy_wh).toBe(session.meter_stop_wh! - session.meter_start_wh!);
    expect(session.energy_wh).toBeGreaterThan(0);
    expect(stopped.body).toMatchObject({ status: 'Completed', energyWh: session.energy_wh, price: session.price_ore });

    // A charger that connects to a meanwhile is served there too.
    await simulate(a, CHARGERS[1].serial);
    expect((await command(a, CHARGERS[1].id)).status).toBe(200);
    expect((await command(b, CHARGERS[1].id)).status).toBe(503);
  });

  it('once NATS is back on the same port, commands from the other node reach both chargers again', async () => {
    await nats.restart();
    for (const charger of CHARGERS) {
      let answer = await command(b, charger.id);
      await until(async () => (answer = await command(b, charger.id)).status === 200, 30_000).catch(() => undefined);
      expect(answer.status, `${charger.id}: ${answer.text}`).toBe(200);
      expect(answer.body.response.configurationKey).toEqual([expect.objectContaining({ key: 'HeartbeatInterval' })]);
    }
    for (const node of [a, b]) {
      expect(node.logged('NATS connection lost; other nodes cannot be reached until it is back'), node.id).toHaveLength(1);
      expect(node.logged('NATS connection back'), node.id).toHaveLength(1);
    }
  });
});
