import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TestCluster } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

const CHARGER = { id: 100001, serial: 'abc111' };

describe('a charger that reconnects while its dead node\'s lease lapses', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  const sockets: RawCharger[] = [];

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, nodes: ['a', 'b'], leaseTtlSeconds: 2 });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  const row = () => cluster.db.selectFrom('chargers').select(['online', 'node_id']).where('id', '=', CHARGER.id).executeTakeFirstOrThrow();

  it('stays online on the node it reconnected to, even when that node stores the reconnect after the lapse was handled', async () => {
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    const first = await RawCharger.connect(a.chargerUrl(CHARGER.serial));
    sockets.push(first);
    await until(async () => (await row()).node_id === 'a', 30_000);

    // A key-share lock on the charger's row holds back b's presence write (it locks the row
    // FOR UPDATE first), not the lapse handling (an UPDATE of non-key columns): b stores the
    // reconnect only after the dead node's chargers were shown offline, as a slow node would.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockHeld = new Promise<void>((resolve) => (locked = resolve));
    const holding = cluster.db.transaction().execute(async (trx) => {
      await sql`select id from chargers where id = ${CHARGER.id} for key share`.execute(trx);
      locked();
      await released;
    });
    try {
      await lockHeld;
      await a.kill();
      await first.closed;
      sockets.push(await RawCharger.connect(b.chargerUrl(CHARGER.serial)));
      await until(async () => b.logged('charger connected').some((entry) => entry.charger === CHARGER.serial), 30_000);
      // a's lease lapses and the housekeeper shows a's chargers offline.
      await until(async () => (await row()).node_id === null, 30_000);
    } finally {
      release();
      await holding;
    }

    await cluster.untilOnline(b, CHARGER.id, true, 15_000).catch(() => undefined);
    expect(await row(), cluster.node('b').logs().filter((entry) => entry.charger === CHARGER.serial || entry.component === 'cluster').map((entry) => entry.msg).join('; ')).toEqual({ online: true, node_id: 'b' });
    expect((await cluster.charger(b, CHARGER.id)).online).toBe(true);
  });
});
