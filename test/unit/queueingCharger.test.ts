import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { QueueingCharger, type QueueingChargerOptions } from '../support/queueingCharger.ts';
import { until } from '../support/until.ts';

/* A fake central system that answers the charger's CALLs, or not, as a test decides. */

type Frame = any[];
/** 'drop': close the socket without answering. */
type Decision = 'answer' | 'ignore' | 'error' | 'drop';
/** `attempt` counts the frames with this message id so far, this one included. */
type Decide = (frame: Frame, attempt: number) => Decision;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface FakeCentralSystem {
  url: string;
  /** The charger's CALLs in arrival order, with the number of the connection they came on. */
  calls: { connection: number; frame: Frame }[];
  /** The charger's answers to our CALLs. */
  answers: Frame[];
  offeredProtocols: string[][];
  connections: number;
  send(frame: Frame): void;
  close(): Promise<void>;
}

async function fakeCentralSystem(decide: Decide = () => 'answer', port = 0): Promise<FakeCentralSystem> {
  const offeredProtocols: string[][] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port,
    handleProtocols: (protocols) => {
      offeredProtocols.push([...protocols]);
      return protocols.has('ocpp1.6') ? 'ocpp1.6' : false;
    },
  });
  await once(wss, 'listening');
  const calls: FakeCentralSystem['calls'] = [];
  const answers: Frame[] = [];
  const sockets: WebSocket[] = [];
  const attempts = new Map<string, number>();
  let transactionId = 100;
  const result = (action: string): object => {
    switch (action) {
      case 'BootNotification': return { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 };
      case 'StartTransaction': return { transactionId: ++transactionId, idTagInfo: { status: 'Accepted' } };
      case 'StopTransaction': return { idTagInfo: { status: 'Accepted' } };
      default: return {};
    }
  };
  wss.on('connection', (socket) => {
    const connection = sockets.push(socket);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame[0] !== 2) return void answers.push(frame);
      calls.push({ connection, frame });
      const attempt = (attempts.get(frame[1]) ?? 0) + 1;
      attempts.set(frame[1], attempt);
      switch (decide(frame, attempt)) {
        case 'answer': return socket.send(JSON.stringify([3, frame[1], result(frame[2])]));
        case 'error': return socket.send(JSON.stringify([4, frame[1], 'InternalError', 'the database is away', {}]));
        case 'drop': return socket.terminate();
        case 'ignore': return;
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/charger/CP-1`,
    calls,
    answers,
    offeredProtocols,
    get connections() {
      return sockets.length;
    },
    send: (frame) => sockets.at(-1)!.send(JSON.stringify(frame)),
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

const actions = (system: FakeCentralSystem) => system.calls.map(({ frame }) => frame[2]);
const ids = (system: FakeCentralSystem) => system.calls.map(({ frame }) => frame[1] as string);
const duplicates = (list: string[]) => list.filter((id, i) => list.indexOf(id) !== i);
const SCRIPT = ['StartTransaction', 'MeterValues', 'MeterValues', 'MeterValues', 'StopTransaction'];

describe('QueueingCharger', () => {
  const systems: FakeCentralSystem[] = [];
  const chargers: QueueingCharger[] = [];

  afterEach(async () => {
    await Promise.all(chargers.splice(0).map((charger) => charger.stop()));
    await Promise.all(systems.splice(0).map((system) => system.close()));
  });

  async function system(decide?: Decide, port?: number): Promise<FakeCentralSystem> {
    const started = await fakeCentralSystem(decide, port);
    systems.push(started);
    return started;
  }

  function charger(url: string, options: QueueingChargerOptions = {}): QueueingCharger {
    const created = new QueueingCharger(url, options);
    chargers.push(created);
    return created;
  }

  it('runs its script in order, with the answered transactionIds filled in', async () => {
    const cs = await system();
    const c = charger(cs.url, { sessions: 2, meterValuesPerSession: 3, idTag: 'TAG-1', meterStartWh: 5000, connectorId: 2 });
    await c.done();

    expect(cs.offeredProtocols).toEqual([['ocpp1.6']]);
    expect(actions(cs)).toEqual(['BootNotification', ...SCRIPT, ...SCRIPT]);
    expect(cs.calls[0]!.frame[3]).toEqual({ chargePointVendor: 'Acme', chargePointModel: 'Queue-1' });
    const [first, second] = c.sessions;
    expect(first).toMatchObject({ transactionId: 101, idTag: 'TAG-1', meterStart: 5000, meterStop: 5400 });
    expect(second).toMatchObject({ transactionId: 102, idTag: 'TAG-1', meterStart: 5400, meterStop: 5800 });
    expect(first!.meterValues.map((v) => v.registerWh)).toEqual([5100, 5200, 5300]);

    const payloads = cs.calls.slice(1).map(({ frame }) => frame[3]);
    expect(payloads[0]).toEqual({ connectorId: 2, idTag: 'TAG-1', meterStart: 5000, timestamp: first!.startedAt });
    expect(payloads[1]).toEqual({
      connectorId: 2,
      transactionId: 101,
      meterValue: [{
        timestamp: first!.meterValues[0]!.timestamp,
        sampledValue: [
          { value: '5100', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '7200', context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W' },
          { value: '31.3', context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
          { value: '20', context: 'Sample.Periodic', measurand: 'SoC', location: 'EV', unit: 'Percent' },
        ],
      }],
    });
    expect(payloads[4]).toEqual({ transactionId: 101, meterStop: 5400, timestamp: first!.stoppedAt, reason: 'Local' });
    expect(payloads.slice(5).map((p) => p.transactionId)).toEqual([undefined, 102, 102, 102, 102]);

    const timestamps = c.sessions.flatMap((s) => [s.startedAt, ...s.meterValues.map((v) => v.timestamp), s.stoppedAt!]);
    expect(timestamps.every((t) => ISO.test(t))).toBe(true);
    expect([...timestamps].sort()).toEqual(timestamps);
    expect(new Set(timestamps).size).toBe(timestamps.length);
    expect({ answered: c.answered, resends: c.resends, callErrors: c.callErrors }).toEqual({ answered: 10, resends: 0, callErrors: [] });
  });

  it('keeps creating messages at its pace while an earlier one waits for its answer', async () => {
    const cs = await system((frame) => (frame[2] === 'StartTransaction' ? 'ignore' : 'answer'));
    const c = charger(cs.url, { meterValuesPerSession: 3, intervalMs: 20, callTimeoutMs: 60_000 });
    await until(async () => c.sessions[0]?.stoppedAt !== undefined);
    expect(c.sessions[0]!.meterValues).toHaveLength(3);
    expect(actions(cs)).toEqual(['BootNotification', 'StartTransaction']);
  });

  it('sends an unanswered StartTransaction again with the same id, and fills its transactionId in behind it', async () => {
    const cs = await system((frame, attempt) => (frame[2] === 'StartTransaction' && attempt === 1 ? 'ignore' : 'answer'));
    const c = charger(cs.url, { callTimeoutMs: 200 });
    await c.done();

    expect(actions(cs)).toEqual(['BootNotification', 'StartTransaction', ...SCRIPT]);
    expect(cs.calls[2]!.frame).toEqual(cs.calls[1]!.frame);
    expect(cs.calls.slice(3).map(({ frame }) => frame[3].transactionId)).toEqual([101, 101, 101, 101]);
    expect(c.sessions[0]!.transactionId).toBe(101);
    expect({ answered: c.answered, resends: c.resends, callErrors: c.callErrors }).toEqual({ answered: 5, resends: 1, callErrors: [] });
  });

  it('resends the unanswered message after the server drops the connection, skipping and repeating nothing else', async () => {
    let meterValuesSeen = 0;
    const cs = await system((frame, attempt) => {
      if (frame[2] === 'MeterValues' && attempt === 1 && ++meterValuesSeen === 2) return 'drop';
      return 'answer';
    });
    const c = charger(cs.url, { sessions: 2, reconnectMs: 50 });
    await c.done();

    expect(cs.connections).toBe(2);
    expect(actions(cs)).toEqual(['BootNotification', ...SCRIPT.slice(0, 3), ...SCRIPT.slice(2), ...SCRIPT]);
    const dropped = cs.calls[3]!;
    const resent = cs.calls[4]!;
    expect([dropped.connection, resent.connection]).toEqual([1, 2]);
    expect(resent.frame).toEqual(dropped.frame);
    expect(duplicates(ids(cs))).toEqual([dropped.frame[1]]);
    expect({ answered: c.answered, resends: c.resends, callErrors: c.callErrors }).toEqual({ answered: 10, resends: 1, callErrors: [] });
  });

  it('reconnects after kill() and resends what was in flight', async () => {
    const cs = await system((frame, attempt) => (frame[2] === 'StopTransaction' && attempt === 1 ? 'ignore' : 'answer'));
    const c = charger(cs.url, { reconnectMs: 50 });
    await until(async () => actions(cs).includes('StopTransaction'));
    c.kill();
    await c.done();

    expect(c.connected).toBe(true);
    expect(cs.connections).toBe(2);
    expect(actions(cs)).toEqual(['BootNotification', ...SCRIPT, 'StopTransaction']);
    expect(cs.calls.at(-1)!.frame).toEqual(cs.calls.at(-2)!.frame);
    expect(c.resends).toBe(1);
  });

  it('reconnects to a central system that comes back on the same port', async () => {
    const first = await system((frame) => (frame[2] === 'MeterValues' ? 'ignore' : 'answer'));
    const c = charger(first.url, { reconnectMs: 50 });
    await until(async () => actions(first).includes('MeterValues'));
    const port = Number(new URL(first.url).port);
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(c.connected).toBe(false);

    const second = await system(undefined, port);
    await c.done();
    expect(actions(second)).toEqual(['MeterValues', 'MeterValues', 'MeterValues', 'StopTransaction']);
    expect(second.calls[0]!.frame).toEqual(first.calls.at(-1)!.frame);
    expect({ answered: c.answered, resends: c.resends }).toEqual({ answered: 5, resends: 1 });
  });

  it('records a CALLERROR and drops that message', async () => {
    let meterValuesSeen = 0;
    const cs = await system((frame) => (frame[2] === 'MeterValues' && ++meterValuesSeen === 2 ? 'error' : 'answer'));
    const c = charger(cs.url, { callTimeoutMs: 200 });
    await c.done();
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(actions(cs)).toEqual(['BootNotification', ...SCRIPT]);
    expect(c.callErrors).toEqual([{ action: 'MeterValues', code: 'InternalError', description: 'the database is away' }]);
    expect({ answered: c.answered, resends: c.resends }).toEqual({ answered: 4, resends: 0 });
  });

  it("answers the central system's commands", async () => {
    const cs = await system();
    const c = charger(cs.url, { sessions: 0 });
    await c.done();
    expect(actions(cs)).toEqual(['BootNotification']);
    cs.send([2, 'a', 'RemoteStopTransaction', { transactionId: 1 }]);
    cs.send([2, 'b', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '10' }]);
    cs.send([2, 'c', 'GetConfiguration', {}]);
    cs.send([2, 'd', 'DataTransfer', { vendorId: 'com.flexicharge', messageId: 'BootData', data: '{}' }]);
    cs.send([2, 'e', 'Teleport', {}]);
    await until(async () => cs.answers.length === 5);
    expect(cs.answers).toEqual([
      [3, 'a', { status: 'Rejected' }],
      [3, 'b', { status: 'Accepted' }],
      [3, 'c', { configurationKey: [] }],
      [3, 'd', { status: 'Accepted' }],
      [4, 'e', 'NotImplemented', 'Teleport is not implemented by this charger', {}],
    ]);
  });

  it('leaves no timers behind after stop(), connected or reconnecting', async () => {
    // A delay nothing else uses marks the charger's own timers (pause, call timeout, reconnect).
    const LONG_MS = 60_000;
    const realSetTimeout = globalThis.setTimeout;
    const realClearTimeout = globalThis.clearTimeout;
    const started = new Set<unknown>();
    const cleared = new Set<unknown>();
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      const timer = realSetTimeout(callback, ms);
      if (ms === LONG_MS) started.add(timer);
      return timer;
    }) as typeof setTimeout);
    vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
      cleared.add(timer);
      realClearTimeout(timer);
    });
    const live = () => [...started].filter((timer) => !cleared.has(timer));
    try {
      const gone = await system();
      const unreachable = gone.url.replace('CP-1', 'CP-2');
      await gone.close();
      const reconnecting = charger(unreachable, { reconnectMs: LONG_MS });
      const cs = await system((frame) => (frame[2] === 'BootNotification' ? 'answer' : 'ignore'));
      const waiting = charger(cs.url, { meterValuesPerSession: 5, intervalMs: LONG_MS, callTimeoutMs: LONG_MS });
      const outcome = waiting.done().then(() => 'done', (error: Error) => error.message);
      // The StartTransaction's call timeout, the script's pause, the other charger's retry.
      await until(async () => live().length === 3);

      await Promise.all([waiting.stop(), reconnecting.stop()]);
      expect(await outcome).toBe('the charger was stopped');
      expect(live()).toEqual([]);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
