import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallError, ChargerSimulator, ConnectionRefusedError, FLEXICHARGE_CALL_ID, simulateMany, type SimulatorOptions } from '../../src/sim/index.ts';
import { pythonFloat, pythonInt } from '../../src/sim/pythonCoercion.ts';

/* A fake central system: records every frame, answers the charger's CALLs, sends commands. */

type Frame = any[];
type Answers = (action: string, payload: any) => object | undefined;

const WAIT_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const standardAnswers: Answers = (action) => {
  switch (action) {
    case 'BootNotification': return { status: 'Accepted', currentTime: new Date().toISOString(), interval: 0 };
    case 'Authorize': return { idTagInfo: { status: 'Accepted' } };
    case 'StartTransaction': return { transactionId: 42, idTagInfo: { status: 'Accepted' } };
    case 'StopTransaction': return { idTagInfo: { status: 'Accepted' } };
    default: return {};
  }
};

/** The server side of one charger connection. */
class Peer {
  readonly frames: Frame[] = [];
  private readonly listeners = new Set<() => void>();
  private nextId = 1;

  constructor(
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    private readonly answers: Answers,
    /** Answer in the FlexiCharge form [3, id, action, payload]. */
    private readonly fourElementResults: boolean,
  ) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      if (frame[0] === 2) {
        const result = this.answers(frame[2], frame[3]);
        if (result) this.socket.send(JSON.stringify(this.fourElementResults ? [3, frame[1], frame[2], result] : [3, frame[1], result]));
      }
      for (const listener of this.listeners) listener();
    });
  }

  /** The first frame at or after index `from` that matches, once it has arrived. */
  waitFor(match: (frame: Frame) => boolean, from = 0): Promise<{ frame: Frame; index: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.frames.findIndex((frame, i) => i >= from && match(frame));
        if (index < 0) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve({ frame: this.frames[index]!, index });
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no matching frame within ${WAIT_MS} ms; received ${JSON.stringify(this.frames)}`));
      }, WAIT_MS);
      this.listeners.add(check);
      check();
    });
  }

  waitForCall(action: string, from = 0, match: (payload: any) => boolean = () => true) {
    return this.waitFor((f) => f[0] === 2 && f[2] === action && match(f[3]), from);
  }

  /** Sends a CALL and returns its id. */
  send(action: string, payload: unknown): string {
    const id = `cs-${this.nextId++}`;
    this.socket.send(JSON.stringify([2, id, action, payload]));
    return id;
  }

  /** Sends a CALL and waits for the charger's reply frame. */
  async command(action: string, payload: unknown): Promise<Frame> {
    const id = this.send(action, payload);
    return (await this.waitFor((f) => (f[0] === 3 || f[0] === 4) && f[1] === id)).frame;
  }

  /** Actions of the charger's CALLs from index `from` on. */
  callsFrom(from: number): string[] {
    return this.frames.slice(from).filter((f) => f[0] === 2).map((f) => f[2] as string);
  }
}

interface ServerOptions {
  answers?: Answers;
  fourElementResults?: boolean;
  /** ocpp1.6 selected when offered (default), or never. */
  selectSubprotocol?: boolean;
  refuse?: { status: number; message: string };
}

class FakeCentralSystem {
  readonly peers: Peer[] = [];
  readonly refusedRequests: IncomingMessage[] = [];
  private readonly arrivals = new Set<() => void>();

  private constructor(readonly server: WebSocketServer, options: ServerOptions) {
    server.on('connection', (socket, request) => {
      this.peers.push(new Peer(socket, request, options.answers ?? standardAnswers, options.fourElementResults ?? false));
      for (const arrival of this.arrivals) arrival();
    });
  }

  static async start(options: ServerOptions = {}): Promise<FakeCentralSystem> {
    let system: FakeCentralSystem | undefined;
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (offered) => (options.selectSubprotocol !== false && offered.has('ocpp1.6') ? 'ocpp1.6' : false),
      verifyClient: (info, done) => {
        if (!options.refuse) return done(true);
        system!.refusedRequests.push(info.req);
        done(false, options.refuse.status, options.refuse.message);
      },
    });
    system = new FakeCentralSystem(server, options);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return system;
  }

  url(identity: string): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/charger/${identity}`;
  }

  /** The n-th connection (0-based), once it exists. */
  peer(n = 0): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const peer = this.peers[n];
        if (!peer) return;
        this.arrivals.delete(check);
        clearTimeout(timer);
        resolve(peer);
      };
      const timer = setTimeout(() => reject(new Error(`connection ${n} did not arrive`)), WAIT_MS);
      this.arrivals.add(check);
      check();
    });
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function centralSystem(options?: ServerOptions): Promise<FakeCentralSystem> {
  const system = await FakeCentralSystem.start(options);
  cleanups.push(() => system.close());
  return system;
}

/** A connected (not yet booted) simulator and the server's view of it. */
async function charger(system: FakeCentralSystem, options: Partial<SimulatorOptions> = {}, identity = 'abc111'): Promise<{ sim: ChargerSimulator; peer: Peer }> {
  const sim = new ChargerSimulator({ url: system.url(identity), meterValueIntervalMs: 20, ...options });
  cleanups.push(() => sim.close());
  const index = system.peers.length;
  await sim.connect();
  return { sim, peer: await system.peer(index) };
}

function nextEvent<T extends unknown[]>(sim: ChargerSimulator, event: 'started' | 'stopped' | 'close'): Promise<T> {
  return new Promise((resolve) => sim.once(event, (...args: unknown[]) => resolve(args as T)));
}

const FIRMWARE = Buffer.from('firmware image 2.0\n'.repeat(100));

/** An HTTP server with a firmware file to GET at /fw and a PUT /upload that keeps what it receives. */
async function fileServer(): Promise<{ url: string; uploads: string[] }> {
  const uploads: string[] = [];
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/fw') return void response.end(FIRMWARE);
    if (request.method !== 'PUT' || request.url !== '/upload') return void response.writeHead(404).end();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      uploads.push(Buffer.concat(chunks).toString());
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, uploads };
}

describe('charger simulator, standard OCPP 1.6 dialect', () => {
  it('sends valid frames: UUID ids, ISO timestamps, integer connectorIds', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system);
    await expect(sim.boot()).resolves.toMatchObject({ status: 'Accepted' });
    await sim.statusNotification(1, 'Available');
    await expect(sim.heartbeat()).resolves.toEqual({});
    const [boot, status, heartbeat] = peer.frames;
    expect(boot).toEqual([2, expect.stringMatching(UUID), 'BootNotification', { chargePointVendor: 'FlexiCharge', chargePointModel: 'Simulator', chargePointSerialNumber: 'abc111', firmwareVersion: expect.any(String) }]);
    expect(status).toEqual([2, expect.stringMatching(UUID), 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: expect.stringMatching(ISO) }]);
    expect(heartbeat).toEqual([2, expect.stringMatching(UUID), 'Heartbeat', {}]);
    expect(new Set(peer.frames.map((f) => f[1])).size).toBe(3);
    expect(sim.protocol).toBe('ocpp1.6');
  });

  it('keeps one CALL in flight and queues the rest in order', async () => {
    const system = await centralSystem({ answers: () => undefined });
    const { sim, peer } = await charger(system);
    const first = sim.heartbeat();
    const second = sim.call('DataTransfer', { vendorId: 'x' });
    const { frame } = await peer.waitForCall('Heartbeat');
    peer.socket.send(JSON.stringify([3, 'not-pending', {}]));
    peer.socket.send(JSON.stringify([3, frame[1], { currentTime: 'now' }]));
    await expect(first).resolves.toEqual({ currentTime: 'now' });
    const { index } = await peer.waitForCall('DataTransfer');
    expect(index).toBe(1);
    peer.socket.send(JSON.stringify([4, peer.frames[1]![1], 'NotSupported', 'no', {}]));
    await expect(second).rejects.toMatchObject({ code: 'NotSupported', description: 'no' });
  });

  it('rejects a CALL that gets no answer with code Timeout', async () => {
    const system = await centralSystem({ answers: () => undefined });
    const { sim } = await charger(system, { callTimeoutMs: 50 });
    const error = await sim.heartbeat().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ code: 'Timeout' });
  });

  it('answers RemoteStartTransaction with Accepted, then StartTransaction, StatusNotification Charging and MeterValues', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system, { meterStartWh: 1000 });
    await sim.boot();
    const started = nextEvent<[number, number]>(sim, 'started');
    const reply = await peer.command('RemoteStartTransaction', { connectorId: 1, idTag: 'TAG1' });
    expect(reply).toEqual([3, reply[1], { status: 'Accepted' }]);
    const at = peer.frames.indexOf(reply);
    await expect(started).resolves.toEqual([1, 42]);
    const { frame: start } = await peer.waitForCall('StartTransaction', at);
    expect(start[3]).toEqual({ connectorId: 1, idTag: 'TAG1', meterStart: 1000, timestamp: expect.stringMatching(ISO) });
    const { frame: meter } = await peer.waitForCall('MeterValues', at);
    expect(peer.callsFrom(at).slice(0, 3)).toEqual(['StartTransaction', 'StatusNotification', 'MeterValues']);
    expect(meter[3]).toEqual({
      connectorId: 1,
      transactionId: 42,
      meterValue: [{
        timestamp: expect.stringMatching(ISO),
        sampledValue: [
          { value: expect.stringMatching(/^\d+$/), context: 'Sample.Periodic', format: 'Raw', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
          { value: '11000', context: 'Sample.Periodic', format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
          { value: '20', context: 'Sample.Periodic', format: 'Raw', measurand: 'SoC', location: 'EV', unit: 'Percent' },
        ],
      }],
    });
    expect(sim.connector(1)).toMatchObject({ status: 'Charging', transactionId: 42 });
    expect((await peer.command('RemoteStartTransaction', { idTag: 'TAG2' }))[2]).toEqual({ status: 'Rejected' });

    expect((await peer.command('RemoteStopTransaction', { transactionId: 7 }))[2]).toEqual({ status: 'Rejected' });
    const stopped = nextEvent(sim, 'stopped');
    const stopReply = await peer.command('RemoteStopTransaction', { transactionId: 42 });
    expect(stopReply[2]).toEqual({ status: 'Accepted' });
    await stopped;
    const stopAt = peer.frames.indexOf(stopReply);
    const { frame: available } = await peer.waitForCall('StatusNotification', stopAt, (p) => p.status === 'Available');
    const calls = peer.callsFrom(stopAt).filter((action) => action !== 'MeterValues');
    expect(calls).toEqual(['StatusNotification', 'StopTransaction', 'StatusNotification']);
    const { frame: stop } = await peer.waitForCall('StopTransaction', stopAt);
    expect(stop[3]).toMatchObject({ transactionId: 42, idTag: 'TAG1', reason: 'Remote', timestamp: expect.stringMatching(ISO) });
    expect(stop[3].meterStop).toBeGreaterThanOrEqual(1000);
    expect(stop[3].transactionData.map((v: any) => v.sampledValue[0].context)).toEqual(['Transaction.Begin', 'Transaction.End']);
    expect(available[3]).toMatchObject({ connectorId: 1, status: 'Available' });
    expect(sim.connector(1)).toMatchObject({ status: 'Available', registerWh: stop[3].meterStop });
  });

  it('runs a local RFID session; the register keeps counting across sessions', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system, { idTag: 'RFID1' });
    await sim.boot();
    const first = await sim.startLocalSession();
    expect(first).toEqual({ transactionId: 42, idTagInfo: { status: 'Accepted' } });
    await peer.waitForCall('MeterValues');
    await expect(sim.startLocalSession()).rejects.toThrow(/cannot start/);
    const stopped = nextEvent(sim, 'stopped');
    await expect(sim.stopSession()).resolves.toEqual({ idTagInfo: { status: 'Accepted' } });
    await stopped;
    expect(peer.callsFrom(0).slice(0, 4)).toEqual(['BootNotification', 'Authorize', 'StartTransaction', 'StatusNotification']);
    const { frame: stop } = await peer.waitForCall('StopTransaction');
    expect(stop[3]).toMatchObject({ reason: 'Local', idTag: 'RFID1' });
    const from = peer.frames.length;
    await sim.startLocalSession(1, 'RFID2');
    const { frame: secondStart } = await peer.waitForCall('StartTransaction', from);
    expect(secondStart[3]).toMatchObject({ idTag: 'RFID2', meterStart: stop[3].meterStop });
    await expect(sim.stopSession(1)).resolves.toBeDefined();
  });

  it('shows the power its car draws under the profile in force; after a dropped connection it comes back without a boot and its MeterValues resume', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system, { powerW: 22_080 });
    await sim.boot();
    expect(sim.connector(1).powerW).toBe(0);
    await sim.startLocalSession(1, 'RFID1');
    expect(sim.connector(1).powerW).toBe(22_080);
    const txProfile = { chargingProfileId: 3, transactionId: 42, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Absolute', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10, numberPhases: 3 }] } };
    expect((await peer.command('SetChargingProfile', { connectorId: 1, csChargingProfiles: txProfile }))[2]).toEqual({ status: 'Accepted' });
    expect(sim.connector(1).powerW).toBe(6900);

    const closed = nextEvent(sim, 'close');
    peer.socket.terminate();
    await closed;
    expect(sim.connected).toBe(false);
    // The car charges on under the profile it holds.
    expect(sim.connector(1)).toMatchObject({ transactionId: 42, powerW: 6900 });
    await expect(sim.reconnect(system.url('abc112'))).rejects.toThrow(/not the address of abc111/);
    await sim.reconnect(system.url('abc111'));
    expect(sim.connected).toBe(true);
    const second = await system.peer(1);
    const { frame: meter } = await second.waitForCall('MeterValues');
    expect(meter[3]).toMatchObject({ connectorId: 1, transactionId: 42 });
    expect(second.callsFrom(0)).not.toContain('BootNotification');
    await sim.stopSession();
    expect(sim.connector(1).powerW).toBe(0);
  });

  it('answers each of the 19 commands with a schema-valid result', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system, { connectors: 2 });
    await sim.boot();
    const later = new Date(Date.now() + 60_000).toISOString();
    const files = await fileServer();
    const commands: [string, object, object][] = [
      ['ReserveNow', { connectorId: 2, expiryDate: later, idTag: 'R1', reservationId: 5 }, { status: 'Accepted' }],
      ['CancelReservation', { reservationId: 5 }, { status: 'Accepted' }],
      ['RemoteStartTransaction', { connectorId: 1, idTag: 'T1' }, { status: 'Accepted' }],
      ['RemoteStopTransaction', { transactionId: 999 }, { status: 'Rejected' }],
      ['ChangeAvailability', { connectorId: 2, type: 'Inoperative' }, { status: 'Accepted' }],
      ['ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' }, { status: 'Accepted' }],
      ['GetConfiguration', { key: ['HeartbeatInterval', 'Nope'] }, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '0' }], unknownKey: ['Nope'] }],
      ['ClearCache', {}, { status: 'Accepted' }],
      ['UnlockConnector', { connectorId: 2 }, { status: 'Unlocked' }],
      ['TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 2 }, { status: 'Accepted' }],
      ['DataTransfer', { vendorId: 'com.flexicharge', messageId: 'BootData', data: '{"connectorID":100001,"chargingPrice":"5.25"}' }, { status: 'Accepted' }],
      ['GetDiagnostics', { location: `${files.url}/upload` }, { fileName: 'diagnostics.log' }],
      ['UpdateFirmware', { location: `${files.url}/fw`, retrieveDate: new Date().toISOString() }, {}],
      ['GetLocalListVersion', {}, { listVersion: 0 }],
      ['SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }] }, { status: 'Accepted' }],
      ['SetChargingProfile', { connectorId: 0, csChargingProfiles: { chargingProfileId: 9, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] } } }, { status: 'Accepted' }],
      ['ClearChargingProfile', { id: 9 }, { status: 'Accepted' }],
      ['GetCompositeSchedule', { connectorId: 1, duration: 3600, chargingRateUnit: 'A' }, { status: 'Accepted', connectorId: 1, chargingSchedule: { duration: 3600, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 15.9, numberPhases: 3 }] } }],
      ['Reset', { type: 'Soft' }, { status: 'Accepted' }],
    ];
    expect(new Set(commands.map(([action]) => action)).size).toBe(19);
    for (const [action, payload, expected] of commands) {
      // The reset last, once the transfers are done: a reboot interrupts them.
      if (action === 'Reset') {
        await peer.waitForCall('DiagnosticsStatusNotification', 0, (p) => p.status === 'Uploaded');
        await peer.waitForCall('FirmwareStatusNotification', 0, (p) => p.status === 'Installed');
      }
      const reply = await peer.command(action, payload);
      expect(reply, action).toEqual([3, reply[1], expect.objectContaining(expected)]);
    }
    expect(sim.installedFirmware).toEqual({ location: `${files.url}/fw`, sha256: createHash('sha256').update(FIRMWARE).digest('hex'), sizeBytes: FIRMWARE.byteLength });
    expect(files.uploads).toEqual([sim.uploadedDiagnostics!.content]);
    expect(sim.uploadedDiagnostics!.content).toContain('connector 2: Unavailable');
    expect((await peer.command('GetLocalListVersion', {}))[2]).toEqual({ listVersion: 3 });
    expect(sim.bootData).toEqual({ connectorID: 100001, chargingPrice: 5.25 });
    await peer.waitForCall('StatusNotification', 0, (p) => p.status === 'Reserved');
    await peer.waitForCall('StatusNotification', 0, (p) => p.connectorId === 2 && p.status === 'Unavailable');
    await peer.waitForCall('MeterValues', 0, (p) => p.connectorId === 2 && p.meterValue[0].sampledValue[0].context === 'Trigger');
    const diagnostics = await peer.waitForCall('DiagnosticsStatusNotification', 0, (p) => p.status === 'Uploaded');
    const firmware = await peer.waitForCall('FirmwareStatusNotification', 0, (p) => p.status === 'Installed');
    expect(peer.frames.filter((f) => f[2] === 'FirmwareStatusNotification').map((f) => f[3].status)).toEqual(['Downloading', 'Downloaded', 'Installing', 'Installed']);
    expect(diagnostics.index).toBeGreaterThan(0);
    expect(firmware.index).toBeGreaterThan(0);
    // The Soft reset stopped the session, then reconnected and booted again.
    const { frame: stop } = await peer.waitForCall('StopTransaction');
    expect(stop[3]).toMatchObject({ transactionId: 42, reason: 'SoftReset' });
    const rebooted = await system.peer(1);
    await rebooted.waitForCall('BootNotification');
    await rebooted.waitForCall('StatusNotification', 0, (p) => p.connectorId === 2 && p.status === 'Unavailable');
  });

  it('reports DownloadFailed and UploadFailed when the server refuses the transfer, and is Idle again after', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system);
    await sim.boot();
    const files = await fileServer();
    await peer.command('UpdateFirmware', { location: `${files.url}/missing`, retrieveDate: new Date().toISOString() });
    await peer.command('GetDiagnostics', { location: `${files.url}/elsewhere` });
    await peer.waitForCall('FirmwareStatusNotification', 0, (p) => p.status === 'DownloadFailed');
    await peer.waitForCall('DiagnosticsStatusNotification', 0, (p) => p.status === 'UploadFailed');
    expect(peer.frames.filter((f) => f[2] === 'FirmwareStatusNotification').map((f) => f[3].status)).toEqual(['Downloading', 'DownloadFailed']);
    expect(sim.installedFirmware).toBeUndefined();
    expect(sim.uploadedDiagnostics).toBeUndefined();
    expect(files.uploads).toEqual([]);
    await peer.command('TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' });
    await peer.waitForCall('FirmwareStatusNotification', 0, (p) => p.status === 'Idle');
  });

  it('refuses malformed and unknown commands with CALLERRORs and rejects what it cannot do', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system);
    await sim.boot();
    expect(await peer.command('RemoteStopTransaction', { transactionID: 1 })).toEqual([4, expect.any(String), 'OccurenceConstraintViolation', 'transactionId is required', {}]);
    expect((await peer.command('RemoteStartTransaction', { idTag: 5 }))[2]).toBe('TypeConstraintViolation');
    expect((await peer.command('Reset', { type: 'Later' }))[2]).toBe('PropertyConstraintViolation');
    expect((await peer.command('Reset', 'now'))[2]).toBe('FormationViolation');
    expect((await peer.command('FlyToTheMoon', {}))[2]).toBe('NotImplemented');
    expect((await peer.command('ChangeConfiguration', { key: 'Nope', value: '1' }))[2]).toEqual({ status: 'NotSupported' });
    expect((await peer.command('ChangeConfiguration', { key: 'NumberOfConnectors', value: '3' }))[2]).toEqual({ status: 'Rejected' });
    expect((await peer.command('DataTransfer', { vendorId: 'other' }))[2]).toEqual({ status: 'UnknownVendorId' });
    expect((await peer.command('DataTransfer', { vendorId: 'com.flexicharge', messageId: 'Other' }))[2]).toEqual({ status: 'UnknownMessageId' });
    expect((await peer.command('CancelReservation', { reservationId: 1 }))[2]).toEqual({ status: 'Rejected' });
    expect((await peer.command('ClearChargingProfile', {}))[2]).toEqual({ status: 'Unknown' });
    expect((await peer.command('TriggerMessage', { requestedMessage: 'Nothing' }))[2]).toEqual({ status: 'NotImplemented' });
    expect((await peer.command('RemoteStartTransaction', { connectorId: 2, idTag: 'T' }))[2]).toEqual({ status: 'Rejected' });
  });

  it('honours reservations and schedules availability changes while charging', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system);
    await sim.boot();
    const expiryDate = new Date(Date.now() + 60_000).toISOString();
    const reserve = await peer.command('ReserveNow', { connectorId: 1, expiryDate, idTag: 'OWNER', reservationId: 11 });
    expect(reserve[2]).toEqual({ status: 'Accepted' });
    // The result precedes the StatusNotification it causes.
    const { index } = await peer.waitForCall('StatusNotification', 0, (p) => p.status === 'Reserved');
    expect(index).toBeGreaterThan(peer.frames.indexOf(reserve));
    expect(sim.connector(1)).toMatchObject({ status: 'Reserved', reservationId: 11, reservedIdTag: 'OWNER' });
    expect((await peer.command('ReserveNow', { connectorId: 1, expiryDate, idTag: 'OTHER', reservationId: 12 }))[2]).toEqual({ status: 'Occupied' });
    expect((await peer.command('RemoteStartTransaction', { idTag: 'OTHER' }))[2]).toEqual({ status: 'Rejected' });
    const started = nextEvent(sim, 'started');
    expect((await peer.command('RemoteStartTransaction', { idTag: 'owner' }))[2]).toEqual({ status: 'Accepted' });
    await started;
    expect((await peer.waitForCall('StartTransaction')).frame[3]).toMatchObject({ idTag: 'owner', reservationId: 11 });
    expect((await peer.command('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }))[2]).toEqual({ status: 'Scheduled' });
    await sim.stopSession(1, 'EVDisconnected');
    await peer.waitForCall('StatusNotification', 0, (p) => p.status === 'Unavailable');
    expect(sim.connector(1).status).toBe('Unavailable');
  });
});

describe('charger simulator, FlexiCharge dialect (clients.md Part A)', () => {
  const flexicharge = { fourElementResults: true, answers: (action: string) => (action === 'StartTransaction' ? { idTagInfo: 1, transactionId: 77 } : action === 'BootNotification' ? { status: 'Accepted', currentTime: 1, interval: 86400 } : {}) };
  const bootData = { vendorId: 'com.flexicharge', messageId: 'BootData', data: '{"connectorID":100009,"chargingPrice":5.25}' };

  it('boots with the exact A.3 frame and the constant id, and answers in the 4-element form', async () => {
    const system = await centralSystem(flexicharge);
    const { sim, peer } = await charger(system, { dialect: 'flexicharge' }, 'abc119');
    await expect(sim.boot()).resolves.toEqual({ status: 'Accepted', currentTime: 1, interval: 86400 });
    expect(peer.frames[0]).toEqual([2, '0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v', 'BootNotification', {
      chargePointVendor: 'AVT-Company', chargePointModel: 'AVT-Express', chargePointSerialNumber: 'avt.001.13.1', chargeBoxSerialNumber: 'avt.001.13.1.01',
      firmwareVersion: '0.9.87', iccid: '', imsi: '', meterType: 'AVT NQC-ACDC', meterSerialNumber: 'avt.001.13.1.01',
    }]);
    expect(await peer.command('DataTransfer', bootData)).toEqual([3, 'cs-1', 'DataTransfer', { status: 'Accepted' }]);
    expect(sim.bootData).toEqual({ connectorID: 100009, chargingPrice: 5.25 });
    expect((await peer.command('DataTransfer', { ...bootData, data: '{"connectorID":100003}' }))[3]).toEqual({ status: 'Rejected' });
    expect(sim.bootData).toEqual({ connectorID: 100003 });
    expect((await peer.command('DataTransfer', { ...bootData, vendorId: 'other' }))[3]).toEqual({ status: 'Rejected' });
    expect((await peer.command('DataTransfer', { ...bootData, data: 'not json' }))[3]).toEqual({ status: 'Rejected' });
    expect((await peer.command('DataTransfer', { ...bootData, data: '{"connectorID":100009,"chargingPrice":null}' }))[3]).toEqual({ status: 'Rejected' });
    await expect(sim.startLocalSession()).rejects.toThrow(/cannot start a session locally/);
  });

  it('plays the A.6 conversation: reservation, remote start, meter values, remote stop', async () => {
    const system = await centralSystem(flexicharge);
    const { sim, peer } = await charger(system, { dialect: 'flexicharge' }, 'abc119');
    await sim.boot();
    await peer.command('DataTransfer', bootData);

    const reserveId = peer.send('ReserveNow', { connectorID: 100009, expiryDate: 1795236428, idTag: 1, reservationID: '1179523612811', parentIdTag: 1 });
    const { index: reserved } = await peer.waitFor((f) => f[0] === 3 && f[1] === reserveId);
    // StatusNotification Reserved goes out before the ReserveNow result.
    expect(peer.frames.slice(reserved - 1, reserved + 1)).toEqual([
      [2, FLEXICHARGE_CALL_ID, 'StatusNotification', { connectorId: '1', errorCode: '', status: 'Reserved' }],
      [3, reserveId, 'ReserveNow', { status: 'Accepted' }],
    ]);
    expect((await peer.command('ReserveNow', { connectorID: 100009, expiryDate: 1, idTag: 1, reservationID: 'other' }))[3]).toEqual({ status: 'Occupied' });
    expect((await peer.command('RemoteStartTransaction', { connectorID: 1, idTag: 2 }))[3]).toEqual({ status: 'Rejected' });

    const started = nextEvent<[number, number]>(sim, 'started');
    const startId = peer.send('RemoteStartTransaction', { connectorID: 1, idTag: '1' });
    const { index: startAt } = await peer.waitFor((f) => f[1] === startId);
    await expect(started).resolves.toEqual([1, 77]);
    await peer.waitForCall('StatusNotification', startAt, (p) => p.status === 'Charging');
    const [result, start, charging] = peer.frames.slice(startAt, startAt + 3);
    expect(result).toEqual([3, startId, 'RemoteStartTransaction', { status: 'Accepted' }]);
    expect(start).toEqual([2, FLEXICHARGE_CALL_ID, 'StartTransaction', { connectorId: '1', id_tag: null, meterStart: 0, timestamp: expect.any(Number), reservationId: '1179523612811' }]);
    expect(Math.abs(start![3].timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(charging).toEqual([2, FLEXICHARGE_CALL_ID, 'StatusNotification', { connectorId: '1', errorCode: '', status: 'Charging' }]);

    const { frame: meter } = await peer.waitForCall('MeterValues', startAt);
    expect(meter).toEqual([2, `100009MeterValues${meter[3].timestamp}`, 'MeterValues', {
      connectorId: 1, transactionId: 1, timestamp: expect.any(Number),
      values: {
        chargingPercent: { value: 20, unit: '%', measurand: 'SoC' },
        chargingPower: { value: 11000, unit: 'W', measurand: 'Power.Active,Import' },
        chargedSoFar: { value: expect.any(Number), unit: 'Wh', measurand: 'Energy.Active.Import' },
      },
    }]);
    expect(Number.isInteger(meter[3].timestamp)).toBe(true);

    // Without the key transactionID there is no reply; the next command's reply proves it.
    const ignoredId = peer.send('RemoteStopTransaction', { transactionId: 77 });
    const stopped = nextEvent(sim, 'stopped');
    const stopId = peer.send('RemoteStopTransaction', { transactionID: 77 });
    const { index: stopAt } = await peer.waitFor((f) => f[1] === stopId);
    expect(peer.frames.some((f) => f[1] === ignoredId)).toBe(false);
    await peer.waitForCall('StopTransaction', stopAt);
    await stopped;
    const sequence = peer.frames.slice(stopAt).filter((f) => f[2] !== 'MeterValues');
    expect(sequence.slice(0, 3)).toEqual([
      [3, stopId, 'RemoteStopTransaction', { status: 'Accepted' }],
      [2, FLEXICHARGE_CALL_ID, 'StatusNotification', { connectorId: '1', errorCode: '', status: 'Available' }],
      [2, FLEXICHARGE_CALL_ID, 'StopTransaction', { idTag: null, meterStop: expect.any(Number), timestamp: expect.any(Number), transactionId: 1, reason: 'Remote', transactionData: null }],
    ]);
    expect((await peer.command('RemoteStopTransaction', { transactionID: 77 }))[3]).toEqual({ status: 'Rejected' });
  });

  it('does not reply to what the charger does not understand', async () => {
    const system = await centralSystem(flexicharge);
    const { sim, peer } = await charger(system, { dialect: 'flexicharge' });
    await sim.boot();
    const unanswered = [
      peer.send('Heartbeat', {}),
      peer.send('GetConfiguration', {}),
      peer.send('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }),
      peer.send('TriggerMessage', { requestedMessage: 'BootNotification' }),
      peer.send('ReserveNow', { connectorID: 1, idTag: 1, reservationID: 'r' }),
      peer.send('ReserveNow', { connectorID: 1, expiryDate: 1, idTag: 'user-uuid', reservationID: 'r' }),
      peer.send('RemoteStartTransaction', { connectorId: 1, idTag: 'c0ffee' }),
      peer.send('RemoteStartTransaction', { idTag: '1.5' }),
      peer.send('RemoteStopTransaction', { transactionId: 1 }),
    ];
    const last = await peer.command('RemoteStartTransaction', { idTag: 5 });
    expect(last[3]).toEqual({ status: 'Rejected' });
    expect(peer.frames.filter((f) => unanswered.includes(f[1]))).toEqual([]);
    expect(peer.callsFrom(0)).toEqual(['BootNotification']);
  });

  it('does not wait for replies and pings every 5 s', async () => {
    const system = await centralSystem({ ...flexicharge, answers: () => undefined });
    const { sim, peer } = await charger(system, { dialect: 'flexicharge' });
    const boot = sim.boot();
    const status = sim.statusNotification(1, 'Available');
    await peer.waitForCall('StatusNotification');
    peer.socket.send(JSON.stringify([3, FLEXICHARGE_CALL_ID, 'StatusNotification', {}]));
    await expect(status).resolves.toEqual({});
    peer.socket.send(JSON.stringify([4, FLEXICHARGE_CALL_ID, 'GenericError', 'no', {}]));
    await expect(boot).rejects.toMatchObject({ code: 'GenericError' });

    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const fresh = await charger(system, { dialect: 'flexicharge' });
    const pinged = new Promise((resolve) => fresh.peer.socket.once('ping', resolve));
    vi.advanceTimersByTime(5000);
    await pinged;
  });
});

describe('charger simulator overrides and connection', () => {
  it('lets behaviour override the automatic answers', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system, {
      behaviour: { RemoteStartTransaction: 'ignore', ReserveNow: 'reject', UnlockConnector: 'reject', UpdateFirmware: 'reject', ClearCache: (p) => ({ status: 'Rejected', echo: p }), RemoteStopTransaction: 'accept' },
    });
    await sim.boot();
    const ignored = peer.send('RemoteStartTransaction', { idTag: 'T' });
    expect((await peer.command('ReserveNow', { connectorId: 1, expiryDate: new Date().toISOString(), idTag: 'T', reservationId: 1 }))[2]).toEqual({ status: 'Rejected' });
    expect(peer.frames.some((f) => f[1] === ignored)).toBe(false);
    expect((await peer.command('UnlockConnector', { connectorId: 1 }))[2]).toEqual({ status: 'UnlockFailed' });
    expect((await peer.command('UpdateFirmware', {}))[2]).toBe('NotSupported');
    expect((await peer.command('ClearCache', { a: 1 }))[2]).toEqual({ status: 'Rejected', echo: { a: 1 } });
    expect((await peer.command('RemoteStopTransaction', { transactionId: 5 }))[2]).toEqual({ status: 'Accepted' });
    expect(peer.callsFrom(0)).toEqual(['BootNotification']);
  });

  it('offers ocpp1.6 and sends HTTP Basic auth with the percent-decoded identity', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system, { password: 's3cret' }, 'abc%20111');
    expect(sim.identity).toBe('abc 111');
    expect(peer.request.headers['sec-websocket-protocol']).toBe('ocpp1.6');
    expect(peer.request.headers.authorization).toBe(`Basic ${Buffer.from('abc 111:s3cret').toString('base64')}`);
    const { peer: plain } = await charger(system, { offerSubprotocol: false });
    expect(plain.request.headers['sec-websocket-protocol']).toBeUndefined();
    expect(plain.request.headers.authorization).toBeUndefined();
  });

  it('insists on the subprotocol in the standard dialect only', async () => {
    const system = await centralSystem({ selectSubprotocol: false });
    const standard = new ChargerSimulator({ url: system.url('abc111') });
    await expect(standard.connect()).rejects.toThrow(/selected no subprotocol/);
    const { sim } = await charger(system, { dialect: 'flexicharge' });
    expect(sim.protocol).toBe('');
  });

  it('rejects with the HTTP status when the upgrade is refused', async () => {
    const system = await centralSystem({ refuse: { status: 404, message: 'Not Found' } });
    const error = await new ChargerSimulator({ url: system.url('nobody') }).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error).toMatchObject({ status: 404, message: 'HTTP 404 — Not Found' });
    const unauthorized = await centralSystem({ refuse: { status: 401, message: 'Unauthorized' } });
    await expect(new ChargerSimulator({ url: unauthorized.url('abc111'), password: 'x' }).connect()).rejects.toThrow(/401/);
    expect(unauthorized.refusedRequests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('abc111:x').toString('base64')}`);
  });

  it('terminates without a close frame and closes cleanly', async () => {
    const system = await centralSystem();
    const { sim, peer } = await charger(system);
    const serverSide = new Promise<number>((resolve) => peer.socket.once('close', resolve));
    const closed = nextEvent<[number]>(sim, 'close');
    sim.terminate();
    expect(await serverSide).toBe(1006);
    expect(await closed).toEqual([1006]);
    await expect(sim.heartbeat()).rejects.toMatchObject({ code: 'Disconnected' });
    const second = await charger(system);
    const cleanClose = new Promise<number>((resolve) => second.peer.socket.once('close', resolve));
    await second.sim.close();
    expect(await cleanClose).toBe(1000);
  });

  it('connects and boots many chargers', async () => {
    const system = await centralSystem();
    const sims = await simulateMany(25, (i) => ({ url: system.url(`many-${i}`) }));
    cleanups.push(() => Promise.all(sims.map((s) => s.close())).then(() => undefined));
    expect(sims.map((s) => s.identity)).toEqual(Array.from({ length: 25 }, (_, i) => `many-${i}`));
    expect(system.peers).toHaveLength(25);
    for (const peer of system.peers) expect(peer.frames[0]?.[2]).toBe('BootNotification');
  });
});

describe('Python int() and float() as the FlexiCharge charger applies them', () => {
  it('follows Python for JSON values', () => {
    expect([1, '1', ' +7 ', '-3', '1_000', true, 1.9].map(pythonInt)).toEqual([1, 1, 7, -3, 1000, 1, 1]);
    expect(['1.5', 'abc', '', '1__0', null, {}, [1]].map(pythonInt)).toEqual(Array(7).fill(undefined));
    expect([5.25, '5.25', ' 1e3 ', '.5', '7.', '-inf'].map(pythonFloat)).toEqual([5.25, 5.25, 1000, 0.5, 7, -Infinity]);
    expect(['', 'abc', '1.2.3', null, {}].map(pythonFloat)).toEqual(Array(5).fill(undefined));
  });
});
