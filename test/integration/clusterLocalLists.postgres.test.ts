import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { TestCluster } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

describe('local authorization lists on two nodes', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  let admin: string;
  let sim: ChargerSimulator;
  const sent: { updateType: string; listVersion: number }[] = [];
  const actions: string[] = [];

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, nodes: ['a', 'b'] });
    // A standard charger (the seeded ones are FlexiCharge chargers, which keep no list).
    await cluster.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100001).execute();
    admin = await cluster.adminToken();
  });
  afterAll(async () => {
    sim?.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  const version = async () => (await cluster.db.selectFrom('local_list').select('version').executeTakeFirstOrThrow()).version;

  it('sends a card changed on one node to a charger held by the other, once', async () => {
    expect((await cluster.node('a').request('POST', '/idTags', { token: admin, body: { idTag: 'NODE-CARD' } })).status).toBe(201);
    sim = new ChargerSimulator({ url: cluster.node('b').chargerUrl('abc111'), meterValueIntervalMs: 0 });
    sim.on('call', (action, payload) => {
      actions.push(action);
      if (action === 'SendLocalList') sent.push({ updateType: payload.updateType, listVersion: payload.listVersion });
    });
    await sim.connect();
    await sim.boot();
    const booted = await version();
    await until(async () => sim.localList!.version === booted, 30_000);
    expect(sent).toEqual([{ updateType: 'Full', listVersion: booted }]);

    // Changed through node a; the charger is on node b.
    expect((await cluster.node('a').request('PUT', '/idTags/NODE-CARD', { token: admin, body: { status: 'Blocked' } })).status).toBe(200);
    const blocked = await version();
    await until(async () => sim.localList!.version === blocked, 30_000);
    expect(sim.localList!.entries.get('NODE-CARD')).toEqual({ status: 'Blocked' });
    const state = await cluster.node('b').request('GET', '/chargers/100001/local-list', { token: admin });
    expect(state.body).toMatchObject({ state: 'inSync', chargerVersion: blocked, lastUpdateType: 'Differential' });
    expect(sent).toEqual([{ updateType: 'Full', listVersion: booted }, { updateType: 'Differential', listVersion: blocked }]);
    expect(actions.filter((action) => action === 'GetLocalListVersion')).toHaveLength(1);
  });
});
