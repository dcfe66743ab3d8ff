import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChargerAsk, RouteResult } from '../../src/cluster/chargerRoutes.ts';
import type { Cluster } from '../../src/cluster/cluster.ts';
import { openNatsCluster } from '../../src/cluster/natsCluster.ts';
import type { MeterValuesEvent } from '../../src/domain/bus.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { NatsServer } from '../support/natsServer.ts';
import { freePort } from '../support/serverProcess.ts';

const logger = pino({ level: 'silent' });
const prefix = `test${randomBytes(4).toString('hex')}`;

/** Polls `condition` until it holds; fails naming `what` after `limitMs`. */
async function eventually<T>(condition: () => T | Promise<T>, what: string, limitMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let probes = 0;

/**
 * Waits until `to` hears what `from` publishes now. NATS keeps each connection's order, so
 * then `to`'s earlier subscriptions are in place and `from`'s earlier events have reached it.
 */
async function reaches(from: Cluster, to: Cluster): Promise<void> {
  const topic = `probe-${++probes}`;
  let heard = false;
  const stop = to.bus.subscribe('sessionStopped', () => (heard = true), topic);
  try {
    await eventually(() => {
      if (!heard) from.bus.publish('sessionStopped', { chargerId: 0, sessionId: probes }, topic);
      return heard;
    }, `heard on ${to.nodeId} from ${from.nodeId}`);
  } finally {
    stop();
  }
}

const meterValues = (messageId: string, sampledAt = new Date('2026-03-01T10:00:00.000Z')): MeterValuesEvent => ({
  chargerId: 100001,
  connectorId: 1,
  messageId,
  summary: { sessionId: 7, userId: null, energyWh: 1234, socPercent: 55, powerW: 11000, sampledAt },
});

/** What each listener heard of one event, and from where. */
function recorder() {
  const heard: Record<string, boolean[]> = {};
  const listen = (label: string) => (_event: unknown, origin: { local: boolean }) => (heard[label] ??= []).push(origin.local);
  return { heard, listen };
}

const describeAsk: ChargerAsk = { kind: 'describe' };

describe('nodes sharing events and chargers through NATS', () => {
  let nats: NatsServer;
  let a: Cluster;
  let b: Cluster;
  let c: Cluster;

  beforeAll(async () => {
    nats = await NatsServer.start();
    const join = (nodeId: string) => openNatsCluster({ servers: nats.url, prefix, nodeId, logger });
    [a, b, c] = await Promise.all([join('a'), join('b'), join('c')]);
  });

  afterAll(async () => {
    await Promise.all([a, b, c].map((node) => node?.close()));
    await nats?.stop();
  });

  it('joins as several nodes', () => {
    expect(a).toMatchObject({ nodeId: 'a', several: true, connected: true });
  });

  it('delivers an event to each listener once: the publisher\'s own locally, the others\' through NATS', async () => {
    const { heard, listen } = recorder();
    const stops = [
      a.bus.subscribe('meterValues', listen('a topic'), 'user-1'),
      b.bus.subscribe('meterValues', listen('b topic'), 'user-1'),
      b.bus.subscribe('meterValues', listen('b all'), undefined),
      b.bus.subscribe('meterValues', listen('b other topic'), 'user-2'),
      c.bus.subscribe('meterValues', listen('c all')),
    ];
    await Promise.all([reaches(a, b), reaches(a, c)]);

    a.bus.publish('meterValues', meterValues('m1'), 'user-1');
    expect(heard).toEqual({ 'a topic': [true] });

    await Promise.all([reaches(a, b), reaches(a, c), reaches(b, a)]);
    expect(heard).toEqual({ 'a topic': [true], 'b topic': [false], 'b all': [false], 'c all': [false] });
    for (const stop of stops) stop();
  });

  it('delivers an event without a topic to all-topic listeners only', async () => {
    const { heard, listen } = recorder();
    const stops = [
      b.bus.subscribe('chargerConnected', listen('b all')),
      b.bus.subscribe('chargerConnected', listen('b topic'), 'x'),
    ];
    await reaches(a, b);
    a.bus.publish('chargerConnected', { chargerId: 100001, nodeId: 'a' });
    await reaches(a, b);
    expect(heard).toEqual({ 'b all': [false] });
    for (const stop of stops) stop();
  });

  it('stops listening to NATS only when the last listener of a topic stops', async () => {
    const { heard, listen } = recorder();
    const first = b.bus.subscribe('sessionStarted', listen('first'), '42');
    const second = b.bus.subscribe('sessionStarted', listen('second'), '42');
    await reaches(a, b);
    first();
    a.bus.publish('sessionStarted', { chargerId: 100001, connectorId: 1, sessionId: 42 }, '42');
    await reaches(a, b);
    expect(heard).toEqual({ second: [false] });

    second();
    const again = b.bus.subscribe('sessionStarted', listen('again'), '42');
    await reaches(a, b);
    a.bus.publish('sessionStarted', { chargerId: 100001, connectorId: 1, sessionId: 42 }, '42');
    await reaches(a, b);
    expect(heard).toEqual({ second: [false], again: [false] });
    again();
  });

  it('keeps Dates as Dates across nodes', async () => {
    const received: MeterValuesEvent[] = [];
    const stop = b.bus.subscribe('meterValues', (event) => received.push(event), 'user-3');
    await reaches(a, b);
    const sampledAt = new Date('2026-03-01T10:11:12.345Z');
    a.bus.publish('meterValues', meterValues('m2', sampledAt), 'user-3');
    await reaches(a, b);
    expect(received).toHaveLength(1);
    expect(received[0]!.summary.sampledAt).toBeInstanceOf(Date);
    expect(received[0]!.summary.sampledAt.getTime()).toBe(sampledAt.getTime());
    stop();
  });

  it('refuses a topic that is not one subject token', () => {
    for (const topic of ['a.b', 'a*', '>', 'a b', '', '_']) {
      expect(() => a.bus.publish('sessionStarted', { chargerId: 1, connectorId: 1, sessionId: 1 }, topic)).toThrow(/subject token/);
      expect(() => a.bus.subscribe('sessionStarted', () => undefined, topic)).toThrow(/subject token/);
    }
  });

  it('answers {held: false} at once for a charger no node holds', { timeout: 5_000 }, async () => {
    // The 20 s limit is never reached: NATS tells at once that nobody listens.
    await expect(a.routes.ask(100404, describeAsk, 20_000)).resolves.toEqual({ held: false });
  });

  it('brings an ask to the holder and its answer back, Dates included', async () => {
    const at = new Date('2026-03-01T08:00:00.000Z');
    const asks: ChargerAsk[] = [];
    const withdraw = b.routes.hold(100002, async (ask) => {
      asks.push(ask);
      return { reservable: true, at };
    });
    const ask: ChargerAsk = { kind: 'command', action: 'Reset', request: { type: 'Soft' } };
    // Once the hold is ready, the first ask finds it.
    await withdraw.ready;
    const result = await a.routes.ask(100002, ask, 5_000);
    expect(result).toEqual({ held: true, value: { reservable: true, at } });
    expect(asks.at(-1)).toEqual(ask);
    withdraw.withdraw();
  });

  it('returns the holder\'s DomainError as a DomainError, and any other failure as badGateway', async () => {
    const withdrawRefusing = b.routes.hold(100003, async () => {
      throw new DomainError('conflict', ['chargerBusy', 'other'], 'busy');
    });
    const withdrawFailing = c.routes.hold(100004, async () => {
      throw new Error('boom');
    });
    await Promise.all([reaches(a, b), reaches(a, c)]);

    const refused = await a.routes.ask(100003, describeAsk, 5_000).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: 'conflict', codes: ['chargerBusy', 'other'], message: 'busy' });

    const failed = await a.routes.ask(100004, describeAsk, 5_000).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DomainError);
    expect(failed).toMatchObject({ kind: 'badGateway', codes: ['internalError'], message: 'boom' });
    withdrawRefusing.withdraw();
    withdrawFailing.withdraw();
  });

  it('fails with a timeout when the holder does not answer in time', async () => {
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    const withdraw = b.routes.hold(100005, async () => never);
    await reaches(a, b);
    await expect(a.routes.ask(100005, describeAsk, 200)).rejects.toMatchObject({ kind: 'timeout', codes: ['chargerTimeout'] });
    release();
    withdraw.withdraw();
  });

  it('has one of two holders of the same charger answer each ask', async () => {
    let served = 0;
    const withdrawB = b.routes.hold(100006, async () => ++served);
    const withdrawC = c.routes.hold(100006, async () => ++served);
    await Promise.all([reaches(a, b), reaches(a, c)]);
    for (let i = 1; i <= 5; i++) {
      await expect(a.routes.ask(100006, describeAsk, 5_000)).resolves.toEqual({ held: true, value: i });
    }
    await Promise.all([reaches(a, b), reaches(a, c)]);
    expect(served).toBe(5);
    withdrawB.withdraw();
    withdrawC.withdraw();
  });

  it('no longer reaches a withdrawn hold, not even with an ask already on its way', { timeout: 5_000 }, async () => {
    let served = 0;
    let withdraw = (): void => undefined;
    withdraw = b.routes.hold(100007, async () => {
      served += 1;
      withdraw();
      return 'here';
    }).withdraw;
    await reaches(a, b);
    // Both asks leave before the holder hears the first, which withdraws: the second is
    // then on its way to a hold NATS still knows of, or already finds nobody.
    const [first, second] = await Promise.all([a.routes.ask(100007, describeAsk, 20_000), a.routes.ask(100007, describeAsk, 20_000)]);
    expect(first).toEqual({ held: true, value: 'here' });
    expect(second).toEqual({ held: false });
    await expect(a.routes.ask(100007, describeAsk, 20_000)).resolves.toEqual({ held: false });
    expect(served).toBe(1);
  });

  it('reports NATS down: asks fail as unavailable, at once or while waiting, until it is back', async () => {
    let release!: () => void;
    const slow = new Promise<string>((resolve) => (release = () => resolve('late')));
    const withdrawSlow = b.routes.hold(100008, async () => slow);
    const withdrawQuick = b.routes.hold(100009, async () => 'quick');
    await reaches(a, b);
    const waiting = a.routes.ask(100008, describeAsk, 20_000).catch((error: unknown) => error);

    await nats.stop();
    const unavailable = { kind: 'unavailable', codes: ['clusterUnavailable'] };
    expect(await waiting).toMatchObject(unavailable);
    await eventually(() => !a.connected && !b.connected, 'disconnected');
    await expect(a.routes.ask(100009, describeAsk, 20_000)).rejects.toMatchObject(unavailable);
    expect(() => a.bus.publish('sessionStarted', { chargerId: 1, connectorId: 1, sessionId: 1 }, '1')).not.toThrow();

    await nats.restart();
    await eventually(() => a.connected && b.connected, 'connected again');
    const result = await eventually(
      () => a.routes.ask(100009, describeAsk, 5_000).then((r: RouteResult) => (r.held ? r : undefined), () => undefined),
      'answered again',
    );
    expect(result).toEqual({ held: true, value: 'quick' });
    release();
    withdrawSlow.withdraw();
    withdrawQuick.withdraw();
  });
});

describe('starting without NATS', () => {
  it('fails with one line naming NATS_URL and the servers', async () => {
    const servers = `nats://127.0.0.1:${await freePort()}`;
    const error = await openNatsCluster({ servers, prefix, nodeId: 'alone', logger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const { message } = error as Error;
    expect(message).toContain('NATS_URL');
    expect(message).toContain(servers);
    expect(message).not.toContain('\n');
  });
});
