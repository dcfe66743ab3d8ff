import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ChargerAdmission } from '../domain/chargerPresence.ts';
import { DomainError, fromDatabaseError } from '../domain/errors.ts';
import type { ChargerId, Dialect } from '../domain/units.ts';
import { ConnectionDialect } from './dialect/connectionDialect.ts';
import { TRANSACTION_ACTIONS } from './protocol/chargerMessages.ts';
import { OcppError } from './protocol/errors.ts';
import {
  CALL, CALLERROR, CALLRESULT, callFrame, errorFrame, FrameError, MAX_DEPTH, parseFrame, recoverMessageId, resultFrame, type Frame, type MessageId,
} from './protocol/frames.ts';
import type { OcppObserver } from './observer.ts';
import { checkRequest, checkResponse } from './protocol/schemas.ts';
import { unstorable } from './protocol/storable.ts';

/** What a handler answers; `after` runs once the CALLRESULT is on the wire (e.g. BootData after Boot). */
export interface CallOutcome<Response extends object = object> {
  response: Response;
  after?: () => void;
}

/**
 * Handles one normalised charger→server CALL, valid against its schema unless it is a
 * transaction message; throws OcppError to answer with a CALLERROR.
 */
export type CallDispatcher = (connection: ChargerConnection, action: string, payload: Record<string, unknown>, id: MessageId) => Promise<CallOutcome>;

export interface ConnectionOptions {
  callTimeoutMs: number;
  maxFrameBytes: number;
  logger: Logger;
  /** Persists a frame when the message log is on. */
  record?: (connection: ChargerConnection, direction: 'in' | 'out', frame: string) => void;
  /** Called for every frame received: proof of life. */
  seen: (connection: ChargerConnection) => void;
  /** The charger turned out to speak another dialect than the connection assumed. */
  dialectChanged: (connection: ChargerConnection, dialect: Dialect) => void;
  /** Hears every message in and out (metrics). */
  observer: OcppObserver;
}

const TRANSACTIONAL = new Set<string>(TRANSACTION_ACTIONS);

interface Outbound {
  id: string;
  action: string;
  frame: string;
  resolve: (payload: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  /** performance.now() when the frame went out. */
  sentAt: number;
}

/** A command the charger did not answer within the call timeout. */
export class CallTimeoutError extends Error {
  constructor(readonly action: string, timeoutMs: number) {
    super(`${action} was not answered within ${timeoutMs / 1000} s`);
    this.name = 'CallTimeoutError';
  }
}

/** The connection closed before the command was answered. */
export class ConnectionClosedError extends Error {
  constructor(action: string) {
    super(`the charger disconnected before answering ${action}`);
    this.name = 'ConnectionClosedError';
  }
}

/**
 * One charger's socket: framing, the CALLs it makes (handled one at a time, in order),
 * and the commands we send it (one in flight, the rest queued, each with a timeout).
 * The two directions are independent, so a charger's CALL is answered while ours waits.
 */
export class ChargerConnection {
  readonly chargerId: ChargerId;
  readonly identity: string;
  registration: ChargerAdmission['registrationStatus'];
  /** Everything about the FlexiCharge dialect on this connection goes through here. */
  readonly dialect: ConnectionDialect;
  /** Cleared by the ping sweep, set by any frame or pong. */
  alive = true;
  readonly log: Logger;

  #incoming: Promise<void> = Promise.resolve();
  readonly #queue: Outbound[] = [];
  #inFlight: Outbound | undefined;
  #closed = false;

  constructor(
    readonly socket: WebSocket,
    admission: ChargerAdmission,
    offeredProtocols: readonly string[],
    private readonly dispatch: CallDispatcher,
    private readonly options: ConnectionOptions,
  ) {
    this.chargerId = admission.id;
    this.identity = admission.identity;
    this.registration = admission.registrationStatus;
    this.log = options.logger.child({ charger: admission.identity });
    this.dialect = new ConnectionDialect(admission.dialect, offeredProtocols, (to, from) => {
      this.log.info({ from, to }, 'dialect detected');
      options.dialectChanged(this, to);
    });
    socket.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    socket.on('pong', () => { this.alive = true; });
  }

  /** The charger's CALLs wait for `work` (which must not fail) before they are handled. */
  handleCallsAfter(work: Promise<void>): void {
    this.#incoming = this.#incoming.then(() => work);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a command and resolves with the charger's (validated) answer. */
  call(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError(action));
    return new Promise((resolve, reject) => {
      const id = randomUUID();
      const frame = callFrame(id, action, this.dialect.shapeCommand(action, payload));
      const settle = (answer: Record<string, unknown>) => {
        this.dialect.commandAnswered(action, payload, answer);
        resolve(answer);
      };
      this.#queue.push({ id, action, frame, resolve: settle, reject, sentAt: 0 });
      this.#sendNext();
    });
  }

  /** Fails everything outstanding; called when the socket is gone or replaced. */
  closedDown(): void {
    if (this.#closed) return;
    this.#closed = true;
    const outstanding = [...(this.#inFlight ? [this.#inFlight] : []), ...this.#queue.splice(0)];
    this.#inFlight = undefined;
    for (const call of outstanding) {
      clearTimeout(call.timer);
      call.reject(new ConnectionClosedError(call.action));
    }
  }

  #send(frame: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(frame);
    this.#trace('out', frame);
  }

  #trace(direction: 'in' | 'out', frame: string): void {
    if (this.log.isLevelEnabled('debug')) this.log.debug({ dir: direction, frame }, direction === 'in' ? 'ocpp ←' : 'ocpp →');
    this.options.record?.(this, direction, frame);
  }

  #sendNext(): void {
    if (this.#inFlight || this.#closed) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#inFlight = next;
    next.timer = setTimeout(() => {
      if (this.#inFlight !== next) return;
      this.#inFlight = undefined;
      this.options.observer.commandTimedOut(next.action);
      next.reject(new CallTimeoutError(next.action, this.options.callTimeoutMs));
      this.#sendNext();
    }, this.options.callTimeoutMs);
    next.sentAt = performance.now();
    this.#send(next.frame);
    this.options.observer.commandSent(next.action);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    this.options.seen(this);
    if (data.length > this.options.maxFrameBytes) {
      const head = data.subarray(0, 300).toString();
      this.log.warn({ bytes: data.length }, 'frame too large');
      this.#send(errorFrame(recoverMessageId(head), 'FormationViolation', `Frame exceeds ${this.options.maxFrameBytes} bytes`));
      this.options.observer.callAnswered(undefined, 'FormationViolation');
      return;
    }
    const text = data.toString();
    this.#trace('in', text);
    let frame: Frame;
    try {
      if (isBinary) throw new FrameError('FormationViolation', 'OCPP-J frames are text frames', recoverMessageId(text));
      frame = parseFrame(text);
    } catch (error) {
      const { id, code, description } = error as FrameError;
      this.log.warn({ code, description }, 'malformed frame');
      this.#send(errorFrame(id, code, description));
      this.options.observer.callAnswered(undefined, code);
      return;
    }
    if (frame.type === CALL) {
      this.options.observer.callReceived(frame.action);
      this.#incoming = this.#incoming.then(() => this.#handleCall(frame.id, frame.action, frame.payload, frame.pruned));
    } else {
      this.#handleAnswer(frame);
    }
  }

  #handleAnswer(frame: Extract<Frame, { type: typeof CALLRESULT | typeof CALLERROR }>): void {
    const call = this.#inFlight;
    if (!call || String(frame.id) !== call.id) {
      this.log.warn({ id: frame.id }, 'answer to no outstanding command, dropped');
      return;
    }
    clearTimeout(call.timer);
    this.#inFlight = undefined;
    this.options.observer.commandAnswered(call.action, (performance.now() - call.sentAt) / 1000, frame.type === CALLERROR ? frame.code : undefined);
    if (frame.type === CALLRESULT) {
      this.dialect.readAnswer(frame.action !== undefined);
      const problem = checkResponse(call.action, frame.payload);
      if (problem) call.reject(new OcppError(problem.code, `invalid ${call.action} answer: ${problem.description}`));
      else call.resolve(frame.payload);
    } else {
      call.reject(new OcppError(frame.code, frame.description || `${call.action} refused`, { details: frame.details }));
    }
    this.#sendNext();
  }

  async #handleCall(id: MessageId, action: string, raw: Record<string, unknown>, pruned: boolean): Promise<void> {
    const transactional = TRANSACTIONAL.has(action);
    try {
      const payload = this.dialect.readRequest(action, raw);
      if (this.registration !== 'Accepted' && action !== 'BootNotification') {
        throw new OcppError('SecurityError', `The charger is ${this.registration}; only BootNotification is allowed`);
      }
      const problem = checkRequest(action, payload) ?? (pruned ? new OcppError('FormationViolation', `payload is nested deeper than ${MAX_DEPTH} levels`) : undefined);
      if (problem) {
        if (problem.code === 'NotImplemented') throw new OcppError('NotImplemented', `${action} is not an action a charger sends`);
        if (!transactional) throw problem;
        this.log.warn({ action, problem: problem.description }, 'transaction message outside the schema, processed anyway');
      }
      if (!transactional) {
        const limit = unstorable(payload);
        if (limit) throw limit;
      }
      const outcome = await this.dispatch(this, action, payload, id);
      this.#send(resultFrame(id, outcome.response));
      this.options.observer.callAnswered(action);
      outcome.after?.();
    } catch (error) {
      const known = fromDatabaseError(error);
      if (error instanceof OcppError) {
        this.#refuse(id, action, error.code, error.description, error.details);
      } else if (!transactional && known instanceof DomainError && known.kind === 'unavailable') {
        this.log.warn({ err: error, action }, 'database unavailable');
        this.#refuse(id, action, 'InternalError', `${action} cannot be stored right now; try again later`);
      } else if (!transactional && known instanceof DomainError && known.kind === 'invalid') {
        this.#refuse(id, action, 'PropertyConstraintViolation', 'a value is out of the range the central system stores');
      } else {
        this.log.error({ err: error, action }, 'handler failed');
        this.#refuse(id, action, 'InternalError', `${action} could not be processed`);
      }
    }
  }

  #refuse(id: MessageId, action: string, code: string, description: string, details?: Record<string, unknown>): void {
    this.#send(errorFrame(id, code, description, details));
    this.options.observer.callAnswered(action, code);
  }
}
