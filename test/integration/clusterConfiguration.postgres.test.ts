import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { TestCluster } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

describe('desired configuration with two nodes', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  let admin: string;
  const sims: ChargerSimulator[] = [];

  const changes = (sim: ChargerSimulator, key: string) => sim.received.filter((frame) => frame[0] === 2 && frame[2] === 'ChangeConfiguration' && (frame[3] as { key?: string }).key === key);
  const lastChange = async (nodeId: string, key: string) => {
    const response = await cluster.node(nodeId).request('GET', '/chargers/100004/configuration', { token: admin });
    return response.body.keys.find((k: { key: string }) => k.key === key)?.lastChange ?? null;
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, nodes: ['a', 'b'] });
    await cluster.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '>=', 100001).execute();
    admin = await cluster.adminToken();
    const desired = await cluster.node('b').request('PUT', '/chargePoints/2/desired-configuration/MeterValueSampleInterval', { token: admin, body: { value: '20' } });
    expect(desired.status, desired.text).toBe(200);
  });
  afterAll(async () => {
    for (const sim of sims) sim.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  it('pushes after a boot from the node holding the socket only, and a change made on the other node reaches the charger once', async () => {
    const sim = new ChargerSimulator({ url: cluster.node('a').chargerUrl('abc114'), meterValueIntervalMs: 0 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    // The push ends with a read of the configuration, stored for every node.
    await until(async () => (await cluster.node('b').request('GET', '/chargers/100004/configuration', { token: admin })).body.readAt !== null, 30_000);
    expect(await lastChange('b', 'MeterValueSampleInterval')).toMatchObject({ status: 'Accepted', value: '20' });
    expect(changes(sim, 'MeterValueSampleInterval')).toHaveLength(1);
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('20');

    const set = await cluster.node('b').request('PUT', '/chargePoints/2/desired-configuration/HeartbeatInterval', { token: admin, body: { value: '240' }, timeoutMs: 60_000 });
    expect(set.status, set.text).toBe(200);
    expect(set.body.pushed).toEqual([{ chargerId: 100004, status: 'Accepted' }]);
    expect(changes(sim, 'HeartbeatInterval')).toHaveLength(1);
    expect(sim.configurationValue('HeartbeatInterval')).toBe('240');
    expect(await lastChange('a', 'HeartbeatInterval')).toMatchObject({ status: 'Accepted', value: '240', by: 'configuration' });
    // Nothing more arrives for the first key: one boot, one push.
    expect(changes(sim, 'MeterValueSampleInterval')).toHaveLength(1);
  });
});
