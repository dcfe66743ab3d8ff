import { WebSocket } from 'ws';

export interface RawChargerOptions {
  /** Subprotocols to offer; [] offers none (like Postman). Default ['ocpp1.6']. */
  protocols?: string[];
  headers?: Record<string, string>;
  /** false: never answer pings (a dead peer). */
  autoPong?: boolean;
  /** Server CALLs of these actions are answered at once with what the function gives (and still recorded). */
  answers?: Record<string, (payload: any) => unknown>;
}

/**
 * Answers to what the server asks a standard charger after its boot (NumberOfConnectors,
 * GetLocalListVersion), for a peer that knows no keys and keeps no list: unanswered, each
 * would hold the charger's queue of commands until the call timeout.
 */
export const AFTER_BOOT_ANSWERS: Record<string, (payload: any) => unknown> = {
  GetConfiguration: (payload) => ({ configurationKey: [], unknownKey: payload?.key ?? [] }),
  GetLocalListVersion: () => ({ listVersion: -1 }),
};

/** A WebSocket peer that sends exactly the frames a test writes and records what comes back. */
export class RawCharger {
  readonly received: any[] = [];
  readonly #consumed = new Set<number>();
  readonly #waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket, answers: RawChargerOptions['answers'] = {}) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      this.received.push(frame);
      if (Array.isArray(frame) && frame[0] === 2 && Object.hasOwn(answers, frame[2])) socket.send(JSON.stringify([3, frame[1], answers[frame[2]]!(frame[3])]));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string, options: RawChargerOptions = {}): Promise<RawCharger> {
    const socket = new WebSocket(url, options.protocols ?? ['ocpp1.6'], { headers: options.headers, autoPong: options.autoPong ?? true });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawCharger(socket, options.answers)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown[] | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next received frame (in order) matching `predicate` that no earlier wait took. */
  async next(predicate: (frame: any[]) => boolean = () => true, timeoutMs = 5000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((frame, i) => !this.#consumed.has(i) && predicate(frame));
      if (index >= 0) {
        this.#consumed.add(index);
        return this.received[index];
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** The answer (CALLRESULT or CALLERROR) to message id `id`. */
  answerTo(id: string | number, timeoutMs?: number): Promise<any[]> {
    return this.next((frame) => (frame[0] === 3 || frame[0] === 4) && frame[1] === id, timeoutMs);
  }

  /** The next CALL from the server, optionally of one action. */
  nextCall(action?: string, timeoutMs?: number): Promise<any[]> {
    return this.next((frame) => frame[0] === 2 && (!action || frame[2] === action), timeoutMs);
  }

  async call(action: string, payload: unknown, id: string | number = `${action}-${Math.random().toString(36).slice(2, 10)}`): Promise<any[]> {
    this.send([2, id, action, payload]);
    return this.answerTo(id);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }
}

export const BOOT = { chargePointVendor: 'Acme', chargePointModel: 'Volt-22' };
