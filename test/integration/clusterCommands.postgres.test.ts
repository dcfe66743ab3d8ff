import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator, type SimulatorOptions } from '../../src/sim/index.ts';
import { TestCluster } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { AFTER_BOOT_ANSWERS, BOOT, RawCharger } from '../support/rawCharger.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

const serialOf = (chargerId: number) => `abc${chargerId - 100000 + 110}`;

describe('commands among three nodes', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  let admin: string;
  const sims: ChargerSimulator[] = [];
  const raws: RawCharger[] = [];

  async function simulate(nodeId: string, chargerId: number, options: Partial<SimulatorOptions> = {}): Promise<ChargerSimulator> {
    const sim = new ChargerSimulator({ url: cluster.node(nodeId).chargerUrl(serialOf(chargerId)), meterValueIntervalMs: 0, ...options });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    await until(async () => (await cluster.db.selectFrom('chargers').select(['node_id', 'online']).where('id', '=', chargerId).executeTakeFirstOrThrow()).node_id === nodeId, 30_000);
    return sim;
  }

  const command = (nodeId: string, chargerId: number, action: string, body: unknown) =>
    cluster.node(nodeId).request('POST', `/chargers/${chargerId}/commands/${action}`, { token: admin, body, timeoutMs: 90_000 });

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, fresh: true });
    await cluster.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '>=', 100001).execute();
    admin = await cluster.adminToken();
  });
  afterAll(async () => {
    for (const raw of raws) raw.socket.terminate();
    for (const sim of sims) sim.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  it('three nodes started together on an empty database: one migrates it, one seeds it, one creates the first admin', async () => {
    const nodes = [...cluster.nodes.values()];
    for (const msg of ['database migrated', 'database seeded with the sites, chargers and sample tariffs', 'first admin created']) {
      expect(nodes.filter((node) => node.logged(msg).length > 0), msg).toHaveLength(1);
    }
    expect(await cluster.db.selectFrom('chargers').select('id').execute()).toHaveLength(10);
    expect(await cluster.db.selectFrom('users').select('id').where('role', '=', 'admin').execute()).toHaveLength(1);
    for (const node of nodes) expect(node.output()).not.toContain('First admin created');
  });

  it('a command sent on another node reaches the charger and answers with its answer', async () => {
    const sim = await simulate('a', 100001);
    for (const nodeId of ['b', 'c', 'a']) {
      const answer = await command(nodeId, 100001, 'GetConfiguration', { key: ['HeartbeatInterval'] });
      expect(answer.status, `${nodeId}: ${answer.text}`).toBe(200);
      expect(answer.body.status).toBe('Answered');
      expect(answer.body.response.configurationKey).toEqual([expect.objectContaining({ key: 'HeartbeatInterval', value: expect.any(String) })]);
    }
    expect(sim.received.filter((frame) => frame[0] === 2 && frame[2] === 'GetConfiguration' && (frame[3] as { key?: string[] }).key?.[0] === 'HeartbeatInterval')).toHaveLength(3);
    // The charger's refusal comes back as its answer too.
    const refused = await command('c', 100001, 'ChangeConfiguration', { key: 'NoSuchKey', value: '1' });
    expect(refused.status, refused.text).toBe(200);
    expect(refused.body.status).toBe('NotSupported');
  });

  it('a command for a charger no node holds is 409 chargerOffline, from the asking node at once', async () => {
    for (const nodeId of ['a', 'b', 'c']) {
      const answer = await command(nodeId, 100009, 'GetConfiguration', {});
      // Not the 504 of waiting for a holder that never answers.
      expect(answer.status, answer.text).toBe(409);
      expect(answer.body.code).toBe('chargerOffline');
    }
  });

  it('commands sent at once from different nodes reach the charger one at a time', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const pending = new Set<string>();
    const order: string[] = [];
    const slowly = (payload: any) => new Promise((resolve) => setTimeout(() => resolve({ configurationKey: [], unknownKey: payload.key }), 400));
    await simulate('c', 100003, {
      behaviour: { GetConfiguration: slowly },
      onFrame(direction, text) {
        const frame = JSON.parse(text);
        if (direction === 'in' && frame[0] === 2) {
          pending.add(frame[1]);
          order.push(`call ${frame[3]?.key?.[0]}`);
          mostInFlight = Math.max(mostInFlight, ++inFlight);
        } else if (direction === 'out' && (frame[0] === 3 || frame[0] === 4) && pending.delete(frame[1])) {
          inFlight--;
          order.push(`answer ${frame[2]?.unknownKey?.[0]}`);
        }
      },
    });
    const senders = ['a', 'b', 'c', 'a', 'b'];
    const answers = await Promise.all(senders.map((nodeId, index) => command(nodeId, 100003, 'GetConfiguration', { key: [`from-${nodeId}-${index}`] })));
    for (const [index, answer] of answers.entries()) {
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.response.unknownKey).toEqual([`from-${senders[index]}-${index}`]);
    }
    // Besides the server's own NumberOfConnectors read after the boot, which queues with them.
    expect(order.filter((step) => step.includes('from-'))).toHaveLength(2 * senders.length);
    expect(mostInFlight, order.join(', ')).toBe(1);
  });

  it('a charger that reconnects to b while a still holds its socket: a closes the old socket with 1000, commands reach it on b, it shows online', async () => {
    const chargerId = 100004;
    const serial = serialOf(chargerId);
    const first = await RawCharger.connect(cluster.node('a').chargerUrl(serial), { answers: AFTER_BOOT_ANSWERS });
    raws.push(first);
    expect((await first.call('BootNotification', BOOT))[0]).toBe(3);
    await until(async () => (await cluster.db.selectFrom('chargers').select('node_id').where('id', '=', chargerId).executeTakeFirstOrThrow()).node_id === 'a', 30_000);

    // The same identity on b, with the first socket still open.
    const second = await simulate('b', chargerId);
    expect(await first.closed).toMatchObject({ code: 1000 });

    for (const nodeId of ['a', 'b', 'c']) {
      const answer = await command(nodeId, chargerId, 'GetConfiguration', { key: ['HeartbeatInterval'] });
      expect(answer.status, `${nodeId}: ${answer.text}`).toBe(200);
      expect(answer.body.response.configurationKey).toEqual([expect.objectContaining({ key: 'HeartbeatInterval' })]);
    }
    expect(second.received.filter((frame) => frame[0] === 2 && frame[2] === 'GetConfiguration' && (frame[3] as { key?: string[] }).key?.[0] === 'HeartbeatInterval')).toHaveLength(3);
    expect(first.received.filter((frame) => frame[0] === 2 && !Object.hasOwn(AFTER_BOOT_ANSWERS, frame[2]))).toEqual([]);
    for (const nodeId of ['a', 'b', 'c']) {
      expect(await cluster.charger(cluster.node(nodeId), chargerId), cluster.lapses()).toMatchObject({ online: true, status: 'Available' });
    }
    const row = await cluster.db.selectFrom('chargers').select(['node_id', 'online']).where('id', '=', chargerId).executeTakeFirstOrThrow();
    expect(row, cluster.lapses()).toEqual({ node_id: 'b', online: true });
    expect(cluster.node('a').logged('charger disconnected').filter((entry) => entry.charger === serial)).toEqual([]);
  });
});
