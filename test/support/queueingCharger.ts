import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

export interface QueueingChargerOptions {
  /** Default 1. */
  connectorId?: number;
  /** Charging sessions in the script. Default 1. */
  sessions?: number;
  /** MeterValues between each StartTransaction and StopTransaction. Default 3. */
  meterValuesPerSession?: number;
  /** Pause between creating one message and the next. Default 0. */
  intervalMs?: number;
  /** Default 'QUEUE-TAG'. */
  idTag?: string;
  /** The energy register when the first session starts. Default 0. */
  meterStartWh?: number;
  /** How long a CALL may go unanswered before it is sent again. Default 10 000. */
  callTimeoutMs?: number;
  /** Pause between connection attempts. Default 200. */
  reconnectMs?: number;
}

export interface ReportedMeterValue {
  timestamp: string;
  registerWh: number;
}

export interface ReportedSession {
  /** Known once StartTransaction is answered. */
  transactionId?: number;
  idTag: string;
  meterStart: number;
  meterStop?: number;
  startedAt: string;
  stoppedAt?: string;
  meterValues: ReportedMeterValue[];
}

export interface RecordedCallError {
  action: string;
  code: string;
  description: string;
}

interface Queued {
  id: string;
  action: string;
  payload: () => Record<string, unknown>;
  /** Fixed on first sending, so that a resend is the same frame. */
  frame?: string;
  /** The session a StartTransaction opens. */
  session?: ReportedSession;
}

const WH_PER_READING = 100;
const POWER_W = 7200;
const CURRENT_A = 31.3;
const SOC_START_PERCENT = 20;
/** Without a close handshake in this time, stop() drops the socket. */
const CLOSE_GRACE_MS = 1000;

/**
 * Answers to the central system's commands. The script alone decides when sessions start and
 * stop, so commands that would change that (or need a reservation, a reset, a message on
 * demand) are refused; the rest are acknowledged.
 */
const COMMAND_ANSWERS: Record<string, Record<string, unknown>> = {
  RemoteStartTransaction: { status: 'Rejected' },
  RemoteStopTransaction: { status: 'Rejected' },
  ReserveNow: { status: 'Rejected' },
  CancelReservation: { status: 'Rejected' },
  Reset: { status: 'Rejected' },
  TriggerMessage: { status: 'Rejected' },
  UnlockConnector: { status: 'NotSupported' },
  GetCompositeSchedule: { status: 'Rejected' },
  ChangeAvailability: { status: 'Accepted' },
  ChangeConfiguration: { status: 'Accepted' },
  ClearCache: { status: 'Accepted' },
  DataTransfer: { status: 'Accepted' },
  SendLocalList: { status: 'Accepted' },
  SetChargingProfile: { status: 'Accepted' },
  ClearChargingProfile: { status: 'Accepted' },
  GetConfiguration: { configurationKey: [] },
  GetLocalListVersion: { listVersion: 0 },
  GetDiagnostics: {},
  UpdateFirmware: {},
};

function sampledValues(registerWh: number, soc: number) {
  return [
    { value: String(registerWh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: String(POWER_W), context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W' },
    { value: String(CURRENT_A), context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
    { value: String(soc), context: 'Sample.Periodic', measurand: 'SoC', location: 'EV', unit: 'Percent' },
  ];
}

/**
 * An OCPP 1.6 charger that runs a script of charging sessions and treats its transaction
 * messages as OCPP 1.6 asks: one FIFO queue, one CALL in flight, a message that got no
 * answer (timeout, lost connection) sent again with the same id until it is answered. The
 * script goes on at its own pace while the queue lags, as a charger keeps charging while its
 * central system is unreachable. It reconnects by itself until stop().
 */
export class QueueingCharger {
  readonly sessions: ReportedSession[] = [];
  /** Answered with a CALLERROR and therefore dropped. */
  readonly callErrors: RecordedCallError[] = [];
  /** Transaction messages answered with a CALLRESULT. */
  answered = 0;
  /** Messages sent again after a timeout or a lost connection. */
  resends = 0;

  readonly #url: string;
  readonly #options: Required<QueueingChargerOptions>;
  /** The head is the message in flight, or the next to send. */
  readonly #queue: Queued[] = [];
  #inFlight = false;
  #socket: WebSocket | undefined;
  #open = false;
  #booted = false;
  #scriptDone = false;
  #stopped = false;
  /** At least 1 s per message so that every timestamp differs, even within a millisecond. */
  #clock = 0;
  #callTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #nap: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  readonly #idleWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** Starts connecting and running the script at once. */
  constructor(url: string, options: QueueingChargerOptions = {}) {
    this.#url = url;
    this.#options = {
      connectorId: options.connectorId ?? 1,
      sessions: options.sessions ?? 1,
      meterValuesPerSession: options.meterValuesPerSession ?? 3,
      intervalMs: options.intervalMs ?? 0,
      idTag: options.idTag ?? 'QUEUE-TAG',
      meterStartWh: options.meterStartWh ?? 0,
      callTimeoutMs: options.callTimeoutMs ?? 10_000,
      reconnectMs: options.reconnectMs ?? 200,
    };
    this.#connect();
    void this.#runScript();
  }

  /** A connection is open now. */
  get connected(): boolean {
    return this.#open;
  }

  /** Resolves once the script has finished and every message, BootNotification included, is answered or dropped. */
  done(): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('the charger was stopped'));
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idleWaiters.push({ resolve, reject }));
  }

  /** Drops the connection without a close frame, as a charger losing its network does; it reconnects. */
  kill(): void {
    this.#socket?.terminate();
  }

  /** Closes for good: no more messages, reconnects or timers. A pending done() rejects. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#callTimer);
    clearTimeout(this.#reconnectTimer);
    if (this.#nap) {
      clearTimeout(this.#nap.timer);
      this.#nap.wake();
    }
    for (const waiter of this.#idleWaiters.splice(0)) waiter.reject(new Error('the charger was stopped'));
    const socket = this.#socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.close(1000);
    const grace = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(grace);
  }

  async #runScript(): Promise<void> {
    const { sessions, meterValuesPerSession, connectorId, idTag, meterStartWh } = this.#options;
    let registerWh = meterStartWh;
    for (let s = 0; s < sessions && !this.#stopped; s++) {
      const session: ReportedSession = { idTag, meterStart: registerWh, startedAt: this.#now(), meterValues: [] };
      this.sessions.push(session);
      const start = { connectorId, idTag, meterStart: session.meterStart, timestamp: session.startedAt };
      this.#enqueue('StartTransaction', () => start, session);
      for (let m = 0; m < meterValuesPerSession; m++) {
        await this.#pause();
        if (this.#stopped) return;
        registerWh += WH_PER_READING;
        const reading = { timestamp: this.#now(), registerWh };
        session.meterValues.push(reading);
        const meterValue = [{ timestamp: reading.timestamp, sampledValue: sampledValues(registerWh, Math.min(100, SOC_START_PERCENT + m)) }];
        this.#enqueue('MeterValues', () => ({ connectorId, ...this.#transactionOf(session), meterValue }));
      }
      await this.#pause();
      if (this.#stopped) return;
      registerWh += WH_PER_READING;
      session.meterStop = registerWh;
      session.stoppedAt = this.#now();
      const stop = { meterStop: registerWh, timestamp: session.stoppedAt, reason: 'Local' };
      // A StartTransaction answered with a CALLERROR leaves no id: -1, as chargers that started offline send.
      this.#enqueue('StopTransaction', () => ({ transactionId: session.transactionId ?? -1, ...stop }));
      if (s < sessions - 1) await this.#pause();
    }
    this.#scriptDone = true;
    this.#settleIfIdle();
  }

  /** Read when the message is sent, since StartTransaction may still be unanswered when it is created. */
  #transactionOf(session: ReportedSession): { transactionId?: number } {
    return session.transactionId === undefined ? {} : { transactionId: session.transactionId };
  }

  #now(): string {
    this.#clock = Math.max(Date.now(), this.#clock + 1000);
    return new Date(this.#clock).toISOString();
  }

  #pause(): Promise<void> {
    if (this.#options.intervalMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.#nap = undefined;
        resolve();
      };
      this.#nap = { timer: setTimeout(wake, this.#options.intervalMs), wake };
    });
  }

  #enqueue(action: string, payload: () => Record<string, unknown>, session?: ReportedSession): void {
    this.#queue.push({ id: randomUUID(), action, payload, session });
    this.#pump();
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    const socket = new WebSocket(this.#url, ['ocpp1.6']);
    this.#socket = socket;
    // Refusals (HTTP 503, ECONNREFUSED) and broken connections end in 'close', which retries.
    socket.on('error', () => {});
    socket.on('open', () => {
      this.#open = true;
      if (!this.#booted) {
        this.#booted = true;
        const boot = { chargePointVendor: 'Acme', chargePointModel: 'Queue-1' };
        this.#queue.unshift({ id: randomUUID(), action: 'BootNotification', payload: () => boot });
      }
      this.#pump();
    });
    socket.on('message', (data) => this.#onMessage(socket, String(data)));
    socket.on('close', () => {
      this.#open = false;
      this.#inFlight = false;
      clearTimeout(this.#callTimer);
      if (!this.#stopped) this.#reconnectTimer = setTimeout(() => this.#connect(), this.#options.reconnectMs);
    });
  }

  #pump(): void {
    const head = this.#queue[0];
    if (this.#inFlight || !this.#open || this.#stopped || !head) return;
    if (head.frame) this.resends++;
    else head.frame = JSON.stringify([2, head.id, head.action, head.payload()]);
    this.#inFlight = true;
    this.#socket!.send(head.frame);
    this.#callTimer = setTimeout(() => {
      this.#inFlight = false;
      this.#pump();
    }, this.#options.callTimeoutMs);
  }

  #onMessage(socket: WebSocket, text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(frame)) return;
    const [type, id] = frame as [unknown, unknown];
    if (type === 2) return this.#answerCommand(socket, id, String(frame[2]));
    const head = this.#queue[0];
    // An answer to an attempt that already timed out still settles its message; one to a message already settled is ignored.
    if ((type !== 3 && type !== 4) || !head?.frame || head.id !== id) return;
    clearTimeout(this.#callTimer);
    this.#queue.shift();
    this.#inFlight = false;
    if (type === 3) {
      const payload = frame[2] as Record<string, unknown> | undefined;
      if (head.action === 'StartTransaction' && head.session && typeof payload?.transactionId === 'number') {
        head.session.transactionId = payload.transactionId;
      }
      if (head.action !== 'BootNotification') this.answered++;
    } else {
      this.callErrors.push({ action: head.action, code: String(frame[2]), description: String(frame[3] ?? '') });
    }
    this.#pump();
    this.#settleIfIdle();
  }

  #answerCommand(socket: WebSocket, id: unknown, action: string): void {
    const answer = Object.hasOwn(COMMAND_ANSWERS, action)
      ? [3, id, COMMAND_ANSWERS[action]]
      : [4, id, 'NotImplemented', `${action} is not implemented by this charger`, {}];
    socket.send(JSON.stringify(answer));
  }

  #idle(): boolean {
    return this.#scriptDone && this.#booted && this.#queue.length === 0;
  }

  #settleIfIdle(): void {
    if (this.#idle()) for (const waiter of this.#idleWaiters.splice(0)) waiter.resolve();
  }
}
