import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { chargerIdentity } from './ipc.ts';

/** A strictly valid OCPP 1.6 BootNotification.req. */
const BOOT_REQUEST = { chargePointVendor: 'Bench', chargePointModel: 'B1' };
/** Per step of one charger: the WebSocket handshake, and each call. */
const STEP_TIMEOUT_MS = 10_000;
/** A fleet stops starting new chargers after this; the rest count as timeouts. */
const FLEET_DEADLINE_MS = 60_000;
const CLOSE_TIMEOUT_MS = 5_000;

/** Why a charger did not get through; the report counts each kind. */
export type FailureKind = 'refused' | 'timeout' | 'callerror' | 'not accepted' | 'closed';
export type FailureCounts = Partial<Record<FailureKind, number>>;

export class BenchFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
  }
}

function count(failures: FailureCounts, error: unknown, times = 1): void {
  if (!(error instanceof BenchFailure)) throw error;
  failures[error.kind] = (failures[error.kind] ?? 0) + times;
}

export function addFailures(into: FailureCounts, from: FailureCounts): void {
  for (const [kind, times] of Object.entries(from) as [FailureKind, number][]) into[kind] = (into[kind] ?? 0) + times;
}

/** undefined: the connection closed before an answer came. */
type Answer = (frame: unknown[] | undefined) => void;

/** How a bench charger answers a command from the server: the CALLRESULT payload, or undefined for NotImplemented. */
export type CommandAnswerer = (action: string, payload: unknown) => object | undefined;

const refuseEveryCommand: CommandAnswerer = () => undefined;

/** A raw OCPP-J client: one socket, results matched to calls by message id. */
export class BenchCharger {
  readonly #waiting = new Map<string, Answer>();
  readonly #closed: Promise<void>;

  private constructor(private readonly socket: WebSocket, private readonly answerCommand: CommandAnswerer) {
    socket.on('message', (data) => this.#onFrame(String(data)));
    this.#closed = new Promise((resolve) => socket.once('close', () => {
      for (const answer of this.#waiting.values()) answer(undefined);
      this.#waiting.clear();
      resolve();
    }));
  }

  static connect(url: string, answerCommand: CommandAnswerer = refuseEveryCommand): Promise<BenchCharger> {
    const socket = new WebSocket(url, ['ocpp1.6'], { perMessageDeflate: false });
    // Unheard errors would crash the bench; after the handshake they end in 'close', which fails what is outstanding.
    socket.on('error', () => {});
    return new Promise((resolve, reject) => {
      const fail = (failure: BenchFailure) => {
        clearTimeout(timer);
        socket.off('error', refused).off('open', opened);
        socket.terminate();
        reject(failure);
      };
      // Refused connections and HTTP answers other than 101 both arrive as 'error'.
      const refused = (error: Error) => fail(new BenchFailure('refused', error.message));
      const opened = () => {
        clearTimeout(timer);
        socket.off('error', refused);
        resolve(new BenchCharger(socket, answerCommand));
      };
      const timer = setTimeout(() => fail(new BenchFailure('timeout', `no WebSocket handshake within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
      socket.once('error', refused).once('open', opened);
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Resolves with the CALLRESULT payload; fails with a BenchFailure. */
  call(action: string, payload: object): Promise<Record<string, unknown>> {
    if (!this.open) return Promise.reject(new BenchFailure('closed', `the connection closed before ${action} was sent`));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new BenchFailure('timeout', `${action} not answered within ${STEP_TIMEOUT_MS} ms`));
      }, STEP_TIMEOUT_MS);
      this.#waiting.set(id, (frame) => {
        clearTimeout(timer);
        if (!frame) reject(new BenchFailure('closed', `the connection closed before ${action} was answered`));
        else if (frame[0] === 3) resolve(frame[2] as Record<string, unknown>);
        else reject(new BenchFailure('callerror', `${action}: ${String(frame[2])} ${String(frame[3])}`));
      });
      this.socket.send(JSON.stringify([2, id, action, payload]));
    });
  }

  async boot(): Promise<void> {
    const answer = await this.call('BootNotification', BOOT_REQUEST);
    if (answer.status !== 'Accepted') throw new BenchFailure('not accepted', `BootNotification answered ${String(answer.status)}`);
  }

  /** A clean close; the socket is dropped if the server does not finish the close handshake in time. */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.socket.close(1000);
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_TIMEOUT_MS);
    return this.#closed.finally(() => clearTimeout(timer));
  }

  #onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(frame)) return;
    if (frame[0] === 2) {
      // A command from the server: answered at once, or refused so the server is not kept waiting.
      const result = this.answerCommand(String(frame[2]), frame[3]);
      this.socket.send(JSON.stringify(result ? [3, frame[1], result] : [4, frame[1], 'NotImplemented', '', {}]));
      return;
    }
    const id = String(frame[1]);
    const answer = this.#waiting.get(id);
    if (!answer) return;
    this.#waiting.delete(id);
    answer(frame);
  }
}

export interface Fleet {
  chargers: BenchCharger[];
  failures: FailureCounts;
  /** From the first connection attempt until the last charger was booted or had failed. */
  elapsedMs: number;
}

export interface FleetOptions {
  /** The first charger's index (1-based): the fleet is chargers first..first+size-1. */
  first?: number;
  /** How its chargers answer commands from the server (by default: NotImplemented). */
  answerCommand?: CommandAnswerer;
}

/** Connects and boots chargers 1..size (or from `first`), with at most `concurrency` of them in progress at a time. */
export async function connectFleet(chargerUrl: string, size: number, concurrency: number, { first = 1, answerCommand }: FleetOptions = {}): Promise<Fleet> {
  const chargers: BenchCharger[] = [];
  const failures: FailureCounts = {};
  const started = performance.now();
  const end = first + size;
  let next = first;

  async function worker(): Promise<void> {
    while (next < end) {
      if (performance.now() - started > FLEET_DEADLINE_MS) {
        count(failures, new BenchFailure('timeout', 'fleet deadline passed'), end - next);
        next = end;
        return;
      }
      const charger = await BenchCharger.connect(`${chargerUrl}/${chargerIdentity(next++)}`, answerCommand).catch((error: unknown) => count(failures, error));
      if (!charger) continue;
      try {
        await charger.boot();
        chargers.push(charger);
      } catch (error) {
        count(failures, error);
        await charger.close();
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, size) }, worker));
  return { chargers, failures, elapsedMs: performance.now() - started };
}

export async function closeFleet(fleet: Fleet): Promise<void> {
  await Promise.all(fleet.chargers.map((charger) => charger.close()));
}

/** Keeps calling `call` on every charger, each waiting for its answer before the next, for the measured window. */
async function closedLoop(chargers: BenchCharger[], warmupMs: number, durationMs: number, call: (charger: BenchCharger, index: number) => Promise<unknown>): Promise<HeartbeatRun> {
  const now = process.hrtime.bigint;
  const measureFrom = now() + BigInt(warmupMs) * 1_000_000n;
  const measureUntil = measureFrom + BigInt(durationMs) * 1_000_000n;
  const latencies: number[] = [];
  const failures: FailureCounts = {};
  let answeredTotal = 0;
  await Promise.all(chargers.map(async (charger, index) => {
    for (let sent = now(); sent < measureUntil && charger.open; sent = now()) {
      try {
        await call(charger, index);
      } catch (error) {
        count(failures, error);
        continue;
      }
      answeredTotal++;
      if (sent >= measureFrom) latencies.push(Number(now() - sent) / 1e6);
    }
  }));
  return { latenciesMs: Float64Array.from(latencies).sort(), answeredTotal, failures };
}

/** The idTag bench charger `index` (0-based) presents; the bench server registers one per charger. */
export const benchIdTag = (index: number) => `B${String(index + 1).padStart(6, '0')}`;

/**
 * Each charger's own meter and clock: registers only count up, and every reading has a
 * time of its own, so every sample is new to the server and stored.
 */
class ChargerMeter {
  wh = 0;
  #clock = Date.now() - 86_400_000;
  tick(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }
}

/** A MeterValues with four samples, as an AC charger sends every few seconds. */
function meterValuesRequest(transactionId: number, meter: ChargerMeter): object {
  meter.wh += 25;
  return {
    connectorId: 1,
    transactionId,
    meterValue: [{
      timestamp: meter.tick(),
      sampledValue: [
        { value: String(meter.wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '7360', measurand: 'Power.Active.Import', unit: 'W' },
        { value: '32.0', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
        { value: '47', measurand: 'SoC', unit: 'Percent', location: 'EV' },
      ],
    }],
  };
}

async function startTransaction(charger: BenchCharger, index: number, meter: ChargerMeter): Promise<number> {
  const answer = await charger.call('StartTransaction', { connectorId: 1, idTag: benchIdTag(index), meterStart: meter.wh, timestamp: meter.tick() });
  const status = (answer.idTagInfo as { status?: string } | undefined)?.status;
  if (status !== 'Accepted') throw new BenchFailure('not accepted', `StartTransaction answered ${String(status)}`);
  return answer.transactionId as number;
}

/** Every charger starts a session, then sends MeterValues (four samples each) in a closed loop; the sessions are stopped afterwards. */
export async function runMeterValues(chargers: BenchCharger[], warmupMs: number, durationMs: number): Promise<HeartbeatRun> {
  const meters = chargers.map(() => new ChargerMeter());
  const sessions = await Promise.all(chargers.map((charger, index) => startTransaction(charger, index, meters[index]!)));
  const run = await closedLoop(chargers, warmupMs, durationMs, (charger, index) => charger.call('MeterValues', meterValuesRequest(sessions[index]!, meters[index]!)));
  await Promise.all(chargers.map((charger, index) => charger.call('StopTransaction', { transactionId: sessions[index], meterStop: meters[index]!.wh, timestamp: meters[index]!.tick() }).catch(() => undefined)));
  return run;
}

/** Every charger starts and stops sessions in a closed loop; each StartTransaction and each StopTransaction counts as a call. */
export async function runStartStop(chargers: BenchCharger[], warmupMs: number, durationMs: number): Promise<HeartbeatRun> {
  const meters = chargers.map(() => new ChargerMeter());
  const open: (number | undefined)[] = chargers.map(() => undefined);
  const stop = (charger: BenchCharger, index: number) => {
    const meter = meters[index]!;
    const transactionId = open[index];
    meter.wh += 1000;
    open[index] = undefined;
    return charger.call('StopTransaction', { transactionId, meterStop: meter.wh, timestamp: meter.tick(), reason: 'EVDisconnected' });
  };
  const run = await closedLoop(chargers, warmupMs, durationMs, async (charger, index) => {
    if (open[index] === undefined) open[index] = await startTransaction(charger, index, meters[index]!);
    else await stop(charger, index);
  });
  // No session is left open for the next phase's cards.
  await Promise.all(chargers.map((charger, index) => (open[index] === undefined ? undefined : stop(charger, index).catch(() => undefined))));
  return run;
}

/** MeterValues of running sessions sent in a closed loop until `stop` resolves; counts what was answered and when. */
export async function meterValuesUntil(chargers: BenchCharger[], stop: Promise<void>): Promise<{ answeredAt: number[]; failures: FailureCounts }> {
  const meters = chargers.map(() => new ChargerMeter());
  const sessions = await Promise.all(chargers.map((charger, index) => startTransaction(charger, index, meters[index]!)));
  let stopped = false;
  void stop.then(() => { stopped = true; });
  const answeredAt: number[] = [];
  const failures: FailureCounts = {};
  await Promise.all(chargers.map(async (charger, index) => {
    while (!stopped && charger.open) {
      try {
        await charger.call('MeterValues', meterValuesRequest(sessions[index]!, meters[index]!));
        answeredAt.push(performance.now());
      } catch (error) {
        count(failures, error);
      }
    }
  }));
  await Promise.all(chargers.map((charger, index) => charger.call('StopTransaction', { transactionId: sessions[index], meterStop: meters[index]!.wh, timestamp: meters[index]!.tick() }).catch(() => undefined)));
  return { answeredAt, failures };
}

export interface HeartbeatRun {
  /** Round-trip times in ms of the calls sent inside the measured window, ascending. */
  latenciesMs: Float64Array;
  /** Calls answered, warm-up included. */
  answeredTotal: number;
  failures: FailureCounts;
}

/**
 * Every charger sends a Heartbeat, waits for the answer, sends the next, until the
 * window closes. Calls sent during the warm-up are not measured; calls in flight when
 * the window closes are, which balances the ones in flight when it opened.
 */
export function runHeartbeats(chargers: BenchCharger[], warmupMs: number, durationMs: number): Promise<HeartbeatRun> {
  return closedLoop(chargers, warmupMs, durationMs, (charger) => charger.call('Heartbeat', {}));
}
