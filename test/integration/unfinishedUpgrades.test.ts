import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

interface Probe {
  socket: net.Socket;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  /** The bytes the server sent before closing. */
  received(): string;
}

/** A TCP connection that connects and then sends `partial` (maybe nothing) and never more. */
async function probe(port: number, partial: string): Promise<Probe> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (data) => { received += data.toString(); });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  if (partial) socket.write(partial);
  return { socket, closed, received: () => received };
}

/** Whether every probe is closed by the server within `ms` (a bound, not a measured time). */
async function allClosedWithin(probes: Probe[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  const result = await Promise.race([Promise.all(probes.map((p) => p.closed)).then(() => true), deadline]);
  clearTimeout(timer);
  return result;
}

const UNFINISHED = 'GET /charger/abc111 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n';

describe('connections that never finish their request headers', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  const probes: Probe[] = [];

  beforeAll(async () => {
    t = await startTestSystem({ UPGRADE_TIMEOUT: '1' });
  });
  afterAll(async () => {
    for (const p of probes) p.socket.destroy();
    await t?.close();
  });

  for (const which of ['OCPP', 'HTTP API'] as const) {
    it(`are closed on the ${which} port, silent ones and slow ones alike`, async () => {
      const port = Number(new URL(which === 'OCPP' ? t.system.ocppUrl : t.system.httpUrl).port);
      const batch: Probe[] = [];
      for (let i = 0; i < 20; i++) batch.push(await probe(port, i % 2 === 0 ? '' : UNFINISHED));
      probes.push(...batch);
      expect(await allClosedWithin(batch, 8000)).toBe(true);
    });
  }

  it('leaves a charger that upgrades at once alone', async () => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`);
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
    await charger.close();
  });
});

describe('a cap on connections not yet upgraded, per remote address, on the OCPP port', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  const probes: Probe[] = [];

  beforeAll(async () => {
    t = await startTestSystem({ UPGRADE_TIMEOUT: '60', OCPP_MAX_PENDING_PER_ADDRESS: '5' });
  });
  afterAll(async () => {
    for (const p of probes) p.socket.destroy();
    await t?.close();
  });

  it('refuses connections beyond the cap with 503, and admits again once the pending ones are gone', async () => {
    const port = Number(new URL(t.system.ocppUrl).port);
    const pending: Probe[] = [];
    for (let i = 0; i < 5; i++) pending.push(await probe(port, UNFINISHED));
    probes.push(...pending);
    // The server has read the first five (it waits for the rest of their headers) before the next ones come.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const beyond: Probe[] = [];
    for (let i = 0; i < 10; i++) beyond.push(await probe(port, ''));
    probes.push(...beyond);
    expect(await allClosedWithin(beyond, 5000)).toBe(true);
    for (const p of beyond) expect(p.received()).toMatch(/^HTTP\/1\.1 503 /);
    for (const p of pending) expect(p.socket.readyState).toBe('open');

    for (const p of pending) p.socket.destroy();
    await Promise.all(pending.map((p) => p.closed));
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`);
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
    await charger.close();
  });
});
