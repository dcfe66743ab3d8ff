import net, { type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/tcpProxy.ts';

const POSTGRES = { host: '127.0.0.1', port: 5432 };
const SILENCE_MS = 300;

function canConnect(target: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const postgresUp = await canConnect(POSTGRES);

/** A connected client that records everything it receives and how it ended. */
interface Client {
  socket: net.Socket;
  received: () => string;
  error: () => NodeJS.ErrnoException | undefined;
  closed: Promise<void>;
}

function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    let failure: NodeJS.ErrnoException | undefined;
    socket.on('data', (chunk) => { data += chunk.toString(); });
    socket.on('error', (error) => { failure = error; });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => data, error: () => failure, closed }));
    socket.once('error', reject);
  });
}

/** What comes back for `text` within `timeoutMs`; '' when nothing does. */
async function roundTrip(client: Client, text: string, timeoutMs = 2000): Promise<string> {
  const before = client.received().length;
  client.socket.write(text);
  const deadline = Date.now() + timeoutMs;
  while (client.received().length < before + text.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return client.received().slice(before);
}

describe('TcpProxy', () => {
  let echo: net.Server;
  let echoPort: number;
  const echoSockets = new Set<net.Socket>();
  let proxy: TcpProxy | undefined;
  const clients: Client[] = [];

  beforeEach(async () => {
    echo = net.createServer((socket) => {
      echoSockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await proxy?.close();
    proxy = undefined;
    for (const socket of echoSockets) socket.destroy();
    echoSockets.clear();
    await new Promise((resolve) => echo.close(resolve));
  });

  async function startProxy(): Promise<TcpProxy> {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort });
    return proxy;
  }

  async function client(port: number): Promise<Client> {
    const connected = await connect(port);
    clients.push(connected);
    return connected;
  }

  it('forwards data both ways', async () => {
    const proxy = await startProxy();
    const a = await client(proxy.port);
    const b = await client(proxy.port);
    expect(await roundTrip(a, 'hello')).toBe('hello');
    expect(await roundTrip(b, 'x'.repeat(200_000))).toBe('x'.repeat(200_000));
    expect(proxy.connections).toBe(2);
    a.socket.end();
    await a.closed;
    await expect.poll(() => proxy.connections).toBe(1);
  });

  it('reset closes open connections, refuses new ones, and restore forwards again on the same port', async () => {
    const proxy = await startProxy();
    const open = await client(proxy.port);
    expect(await roundTrip(open, 'before')).toBe('before');

    await proxy.cut('reset');
    await open.closed;
    expect(open.error()?.code).toBe('ECONNRESET');
    expect(proxy.connections).toBe(0);
    await expect(connect(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const port = proxy.port;
    await proxy.restore();
    expect(proxy.port).toBe(port);
    expect(await roundTrip(await client(port), 'after')).toBe('after');
  });

  it('blackhole forwards nothing and hangs new connections until restore ends them', async () => {
    const proxy = await startProxy();
    const open = await client(proxy.port);
    expect(await roundTrip(open, 'before')).toBe('before');

    await proxy.cut('blackhole');
    expect(await roundTrip(open, 'lost', SILENCE_MS)).toBe('');
    const hung = await client(proxy.port);
    expect(await roundTrip(hung, 'lost', SILENCE_MS)).toBe('');
    expect(proxy.connections).toBe(1);

    await proxy.restore();
    await Promise.all([open.closed, hung.closed]);
    expect(proxy.connections).toBe(0);
    expect(await roundTrip(await client(proxy.port), 'after')).toBe('after');
  });

  it('refuses a second cut until restored', async () => {
    const proxy = await startProxy();
    await proxy.cut('blackhole');
    await expect(proxy.cut('reset')).rejects.toThrow('blackhole');
    await proxy.restore();
    await proxy.cut('reset');
  });

  it('restore waits for its port while another listener briefly holds it', async () => {
    const proxy = await startProxy();
    await proxy.cut('reset');
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(proxy.port, '127.0.0.1', resolve));
    setTimeout(() => squatter.close(), 200);
    await proxy.restore();
    expect(await roundTrip(await client(proxy.port), 'back')).toBe('back');
  });

  it('close frees the port', async () => {
    const proxy = await startProxy();
    const open = await client(proxy.port);
    await proxy.close();
    await open.closed;
    const successor = net.createServer();
    await new Promise<void>((resolve, reject) => successor.once('error', reject).listen(proxy.port, '127.0.0.1', resolve));
    await new Promise((resolve) => successor.close(resolve));
  });

  it.skipIf(!postgresUp)('survives PostgreSQL connections being reset', async () => {
    proxy = await TcpProxy.start(POSTGRES);
    const settings = { host: '127.0.0.1', port: proxy.port, user: 'postgres', database: 'postgres' };
    const before = new pg.Client(settings);
    const errors: Error[] = [];
    before.on('error', (error) => errors.push(error));
    await before.connect();
    expect((await before.query('select 1 as one')).rows).toEqual([{ one: 1 }]);

    // An idle client learns of the reset from its socket: an 'error' event, which must not crash the process.
    await proxy.cut('reset');
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    await expect(before.query('select 1')).rejects.toThrow();
    await expect(new pg.Client(settings).connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.restore();
    const after = new pg.Client(settings);
    await after.connect();
    try {
      expect((await after.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await after.end();
    }
  });
});
