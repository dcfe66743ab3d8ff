/**
 * Drives fuzz frames (fuzzFrames.ts) at a running OCPP server over raw sockets, one
 * charger per socket, and tallies what comes back against the contract: every CALL
 * answered, never InternalError, never a CALLERROR to a transaction message, and the
 * server never closes a charger's socket.
 */
import { WebSocket } from 'ws';
import { createFuzzer, TRANSACTION_ACTIONS, type FuzzFrame } from './fuzzFrames.ts';

export interface FuzzOptions {
  /** `ws://host:port` of the OCPP server; chargers connect to `/charger/<identity>`. */
  ocppUrl: string;
  /** Serials the server knows. */
  identities: readonly string[];
  /** Frames to send in all, dealt out over the sockets. */
  frames: number;
  seed: number;
  /** Sockets driven at once, one identity each (the first `concurrency` identities). */
  concurrency: number;
  /** How long a frame may wait for its answer before it counts as unanswered. */
  answerTimeoutMs: number;
  /** Identities that answer the server's CALLs the FlexiCharge way, naming the action: `[3, id, action, payload]`. */
  legacyAnswers?: readonly string[];
  /** Stops sending; the report covers what was sent until then. */
  signal?: AbortSignal;
  /** Called once every socket is connected and booted, before the first frame (e.g. to measure the idle server). */
  onConnected?: () => Promise<void>;
  /** Called once a second while frames are sent, also when none is answered. */
  onProgress?: (progress: FuzzProgress) => void;
}

export interface FuzzProgress {
  sent: number;
  frames: number;
  answered: number;
  elapsedMs: number;
}

/** How many, and the first few to look at. */
export interface Tally<T> {
  count: number;
  first: T[];
}

export interface FuzzReport {
  /** Frames sent, BootNotifications on (re)connect included. */
  sent: number;
  /** Frames an answer was due for. */
  calls: number;
  answered: number;
  unanswered: Tally<{ identity: string; kind: string; action?: string; id: string | number; reason: 'timeout' | 'closed'; atMs: number }>;
  /** Answers by code; `CALLRESULT` for results. */
  byCode: Record<string, number>;
  /** Answers by the action the frame named (`-` for frames without one), then by code. */
  byAction: Record<string, Record<string, number>>;
  /** The answers that took longest, slowest first: where the server stalls. */
  slowest: { identity: string; kind: string; action?: string; ms: number; atMs: number }[];
  internalErrors: Tally<{ identity: string; kind: string; action?: string; description: string }>;
  /** CALLERRORs to well-formed StartTransaction, StopTransaction and MeterValues CALLs. */
  transactionCallErrors: Tally<{ identity: string; kind: string; action: string; code: string; description: string }>;
  /** Sockets the server closed (each is reconnected). */
  closes: number;
  closeDetails: { identity: string; code: number; reason: string; afterKind: string }[];
  /**
   * Answers to an id nobody waited for: late ones (after the timeout), ones to CALLRESULT
   * or CALLERROR frames (which the server may refuse), and `unknown` ones, whose id was
   * never sent: those are what a driver or an id-echo defect looks like.
   */
  strays: { late: number; toAnswerFrames: number; unknown: Tally<{ identity: string; frame: string; afterKind: string }> };
  /** CALLs the server sent (BootData after a boot) and the driver answered. */
  serverCalls: number;
  connects: number;
  /** Why the run ended before every frame was sent: aborted, or the server could not be reached again. */
  stoppedBy?: string;
  elapsedMs: number;
}

const SAMPLES = 20;
const SLOWEST = 10;
const CONNECT_ATTEMPTS = 10;
const CONNECT_RETRY_MS = 500;
const CLOSE_WAIT_MS = 2000;
const PROGRESS_MS = 1000;
/** Ids remembered per socket to tell late answers from unknown ones. */
const REMEMBERED_IDS = 2000;

const BOOT = { chargePointVendor: 'Acme', chargePointModel: 'Volt-22', chargePointSerialNumber: 'FUZZ-1' };

type Answer = unknown[];
type Outcome = Answer | 'timeout' | 'closed';

function tally<T>(target: Tally<T>, item: T): void {
  target.count++;
  if (target.first.length < SAMPLES) target.first.push(item);
}

/** The id of a frame sent without an answer due, when it has one. */
function idOf(text: FuzzFrame['text']): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    const frame: unknown = JSON.parse(text);
    return Array.isArray(frame) ? frame[1] : undefined;
  } catch {
    return undefined;
  }
}

class FuzzSocket {
  #socket: WebSocket | undefined;
  #waiting: { id: string | number; settle: (outcome: Outcome) => void } | undefined;
  #closingOnPurpose = false;
  #bootCount = 0;
  #lastKind = 'connect';
  readonly #timedOut = new Set<unknown>();
  readonly #unasked = new Set<unknown>();

  constructor(
    private readonly url: string,
    private readonly identity: string,
    private readonly legacy: boolean,
    private readonly report: FuzzReport,
    private readonly answerTimeoutMs: number,
    private readonly started: number,
  ) {}

  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Connects (retrying a server that is busy or restarting) and boots. */
  async connect(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
      try {
        this.#socket = await this.#dial();
        this.report.connects++;
        const id = `boot-${this.identity}-${++this.#bootCount}`;
        await this.exchange({ text: JSON.stringify([2, id, 'BootNotification', BOOT]), id, action: 'BootNotification', kind: 'connect boot' });
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
    throw new Error(`${this.identity} could not connect to ${this.url}: ${String(lastError)}`);
  }

  #dial(): Promise<WebSocket> {
    const socket = new WebSocket(this.url, ['ocpp1.6']);
    socket.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    socket.on('close', (code, reason) => {
      if (socket !== this.#socket) return;
      if (!this.#closingOnPurpose) {
        this.report.closes++;
        if (this.report.closeDetails.length < SAMPLES) {
          this.report.closeDetails.push({ identity: this.identity, code, reason: reason.toString(), afterKind: this.#lastKind });
        }
      }
      this.#settle('closed');
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      // Errors after the handshake end in 'close', which is what counts.
      socket.on('error', reject);
    });
  }

  #settle(outcome: Outcome): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.settle(outcome);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      frame = undefined;
    }
    if (!Array.isArray(frame)) {
      this.#stray(data.toString().slice(0, 200));
      return;
    }
    if (frame[0] === 2) {
      this.report.serverCalls++;
      // Only BootData comes unasked; 'Accepted' suits it, and most commands.
      const answer = this.legacy ? [3, frame[1], frame[2], { status: 'Accepted' }] : [3, frame[1], { status: 'Accepted' }];
      this.#socket?.send(JSON.stringify(answer));
      return;
    }
    if ((frame[0] === 3 || frame[0] === 4) && this.#waiting && frame[1] === this.#waiting.id) {
      this.#settle(frame);
      return;
    }
    if (this.#timedOut.has(frame[1])) this.report.strays.late++;
    else if (this.#unasked.has(frame[1])) this.report.strays.toAnswerFrames++;
    else this.#stray(JSON.stringify(frame).slice(0, 200));
  }

  #stray(frame: string): void {
    tally(this.report.strays.unknown, { identity: this.identity, frame, afterKind: this.#lastKind });
  }

  /** Sends one frame and, when an answer is due, waits for it and records it. */
  async exchange(frame: FuzzFrame): Promise<void> {
    const socket = this.#socket;
    this.#lastKind = frame.kind;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      // Closed since the check before this frame; the close is counted, the next frame reconnects.
      if (frame.id !== undefined) {
        this.report.calls++;
        tally(this.report.unanswered, { identity: this.identity, kind: frame.kind, action: frame.action, id: frame.id, reason: 'closed', atMs: Date.now() - this.started });
      }
      return;
    }
    this.report.sent++;
    if (frame.id === undefined) {
      remember(this.#unasked, idOf(frame.text));
      socket.send(frame.text, { binary: Boolean(frame.binary) });
      // Lets answers the server may still send arrive before the next frame.
      await new Promise((resolve) => setImmediate(resolve));
      return;
    }
    const id = frame.id;
    this.report.calls++;
    const sentAt = Date.now();
    const outcome = await new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        if (this.#waiting?.id !== id) return;
        this.#waiting = undefined;
        resolve('timeout');
      }, this.answerTimeoutMs);
      this.#waiting = { id, settle: (result) => { clearTimeout(timer); resolve(result); } };
      socket.send(frame.text, { binary: Boolean(frame.binary) });
    });
    if (outcome === 'timeout' || outcome === 'closed') {
      if (outcome === 'timeout') remember(this.#timedOut, id);
      tally(this.report.unanswered, { identity: this.identity, kind: frame.kind, action: frame.action, id, reason: outcome, atMs: sentAt - this.started });
      return;
    }
    this.#record(frame, outcome, sentAt);
  }

  #record(frame: FuzzFrame, answer: Answer, sentAt: number): void {
    this.report.answered++;
    const ms = Date.now() - sentAt;
    const slowest = this.report.slowest;
    if (slowest.length < SLOWEST || ms > slowest[slowest.length - 1]!.ms) {
      slowest.push({ identity: this.identity, kind: frame.kind, action: frame.action, ms, atMs: sentAt - this.started });
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = Math.min(slowest.length, SLOWEST);
    }
    const code = answer[0] === 3 ? 'CALLRESULT' : String(answer[2]);
    const description = String(answer[3] ?? '');
    this.report.byCode[code] = (this.report.byCode[code] ?? 0) + 1;
    const byAction = (this.report.byAction[frame.action ?? '-'] ??= {});
    byAction[code] = (byAction[code] ?? 0) + 1;
    if (code === 'InternalError') tally(this.report.internalErrors, { identity: this.identity, kind: frame.kind, action: frame.action, description });
    if (answer[0] === 4 && frame.action && TRANSACTION_ACTIONS.has(frame.action) && !frame.malformed) {
      tally(this.report.transactionCallErrors, { identity: this.identity, kind: frame.kind, action: frame.action, code, description });
    }
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    this.#closingOnPurpose = true;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    const timer = setTimeout(() => socket.terminate(), CLOSE_WAIT_MS);
    await closed;
    clearTimeout(timer);
  }
}

function remember(ids: Set<unknown>, id: unknown): void {
  if (id === undefined) return;
  if (ids.size >= REMEMBERED_IDS) ids.clear();
  ids.add(id);
}

/** Socket k's fuzzer: socket 0 replays createFuzzer(seed), the others differ from it and each other. */
const socketSeed = (seed: number, k: number) => (seed + Math.imul(k, 0x9e3779b9)) >>> 0;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { identities, frames, concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > identities.length) {
    throw new Error(`concurrency must be 1 to ${identities.length} (one identity per socket), not ${concurrency}`);
  }
  const report: FuzzReport = {
    sent: 0, calls: 0, answered: 0, unanswered: { count: 0, first: [] }, byCode: {}, byAction: {}, slowest: [],
    internalErrors: { count: 0, first: [] }, transactionCallErrors: { count: 0, first: [] }, closes: 0, closeDetails: [],
    strays: { late: 0, toAnswerFrames: 0, unknown: { count: 0, first: [] } }, serverCalls: 0, connects: 0, elapsedMs: 0,
  };
  const started = Date.now();
  let fuzzSent = 0;
  let ticker: NodeJS.Timeout | undefined;

  const sockets = identities.slice(0, concurrency).map((identity) => new FuzzSocket(
    `${options.ocppUrl.replace(/\/$/, '')}/charger/${encodeURIComponent(identity)}`,
    identity, options.legacyAnswers?.includes(identity) ?? false, report, options.answerTimeoutMs, started,
  ));
  try {
    await Promise.all(sockets.map((socket) => socket.connect()));
    await options.onConnected?.();
    const { onProgress } = options;
    if (onProgress) ticker = setInterval(() => onProgress({ sent: fuzzSent, frames, answered: report.answered, elapsedMs: Date.now() - started }), PROGRESS_MS);
    const { signal } = options;
    await Promise.all(sockets.map(async (socket, k) => {
      const fuzzer = createFuzzer(socketSeed(options.seed, k));
      const share = Math.floor(frames / concurrency) + (k < frames % concurrency ? 1 : 0);
      for (let i = 0; i < share && report.stoppedBy === undefined; i++) {
        if (signal?.aborted) {
          report.stoppedBy = `aborted: ${String(signal.reason)}`;
          break;
        }
        const frame = fuzzer.next();
        try {
          if (!socket.open) await socket.connect();
        } catch (error) {
          report.stoppedBy = (error as Error).message;
          break;
        }
        await socket.exchange(frame);
        fuzzSent++;
      }
    }));
  } finally {
    clearInterval(ticker);
    await Promise.all(sockets.map((socket) => socket.close()));
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
