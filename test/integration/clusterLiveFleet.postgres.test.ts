import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, type ClusterNode } from '../support/cluster.ts';
import { EventStream } from '../support/eventStream.ts';
import { NatsServer } from '../support/natsServer.ts';
import { AFTER_BOOT_ANSWERS, BOOT, RawCharger } from '../support/rawCharger.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

const WATCHED = 100002;
const UNWATCHED = 100003;
const serialOf = (chargerId: number) => `abc${chargerId - 100000 + 110}`;

describe('the live stream of one node shows what chargers on another do', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  let a: ClusterNode;
  let b: ClusterNode;
  let admin: string;
  const streams: EventStream[] = [];
  const chargers: RawCharger[] = [];

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, nodes: ['a', 'b'], leaseTtlSeconds: 2 });
    await cluster.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [WATCHED, UNWATCHED]).execute();
    [a, b] = [cluster.node('a'), cluster.node('b')];
    admin = await cluster.adminToken();
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    for (const charger of chargers) charger.socket.terminate();
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  const connect = async (node: ClusterNode, chargerId: number) => {
    const charger = await RawCharger.connect(node.chargerUrl(serialOf(chargerId)), { answers: AFTER_BOOT_ANSWERS });
    chargers.push(charger);
    expect((await charger.call('BootNotification', BOOT))[0]).toBe(3);
    return charger;
  };

  it('sees presence, status and the frames of the watched charger connected to node b, on node a', async () => {
    const stream = await EventStream.open(`${a.api}/live/fleet?watch=${WATCHED}`, admin);
    if (!(stream instanceof EventStream)) throw new Error(`HTTP ${stream.status}`);
    streams.push(stream);
    expect(await stream.next('hello')).toEqual({ nodeId: 'a' });

    const watched = await connect(b, WATCHED);
    expect(await stream.next('online', (event) => event.chargerId === WATCHED, 30_000)).toEqual({ chargerId: WATCHED, nodeId: 'b' });
    const unwatched = await connect(b, UNWATCHED);
    await stream.next('online', (event) => event.chargerId === UNWATCHED, 30_000);

    // Node b learns over NATS that a's operator watches the charger; from then on its frames reach a.
    let beat = 0;
    await until(async () => {
      const id = `heartbeat-${++beat}`;
      await watched.call('Heartbeat', {}, id);
      return stream.all('frame').some((event) => JSON.parse(event.frame)[1] === id);
    }, 30_000);

    const at = '2026-05-06T07:08:09.000Z';
    await unwatched.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at }, 'status-unwatched');
    await watched.call('StatusNotification', { connectorId: 1, errorCode: 'OtherError', status: 'Faulted', timestamp: at }, 'status-watched');
    expect(await stream.next('status', (event) => event.chargerId === UNWATCHED, 30_000)).toEqual({ chargerId: UNWATCHED, connectorId: 1, status: 'Available', errorCode: 'NoError', at });
    expect(await stream.next('status', (event) => event.chargerId === WATCHED, 30_000)).toEqual({ chargerId: WATCHED, connectorId: 1, status: 'Faulted', errorCode: 'OtherError', at });
    const call = await stream.next('frame', (event) => event.direction === 'in' && JSON.parse(event.frame)[1] === 'status-watched', 30_000);
    expect(call).toEqual({
      chargerId: WATCHED, direction: 'in', at: expect.any(String),
      frame: JSON.stringify([2, 'status-watched', 'StatusNotification', { connectorId: 1, errorCode: 'OtherError', status: 'Faulted', timestamp: at }]),
    });
    expect(JSON.parse((await stream.next('frame', (event) => event.direction === 'out' && JSON.parse(event.frame)[1] === 'status-watched', 30_000)).frame))
      .toEqual([3, 'status-watched', {}]);
    expect(stream.all('frame').every((event) => event.chargerId === WATCHED)).toBe(true);

    await watched.close();
    expect(await stream.next('offline', (event) => event.chargerId === WATCHED, 30_000)).toEqual({ chargerId: WATCHED });
  });

  it('shows offline, on node a, a charger whose node b died without closing its socket', async () => {
    const stream = await EventStream.open(`${a.api}/live/fleet`, admin);
    if (!(stream instanceof EventStream)) throw new Error(`HTTP ${stream.status}`);
    streams.push(stream);
    await stream.next('hello');
    await cluster.untilOnline(b, UNWATCHED, true, 30_000);
    await b.kill();
    // b's lease lapses; the housekeeper (a) shows its chargers offline and says so on the bus.
    expect(await stream.next('offline', (event) => event.chargerId === UNWATCHED, 30_000)).toEqual({ chargerId: UNWATCHED });
  });
});
