import { CallError } from './errors.ts';

interface PendingCall {
  id: string;
  action: string;
  frame: string;
  resolve: (payload: any) => void;
  reject: (error: CallError) => void;
  timer?: NodeJS.Timeout;
}

export type Reply = { result: unknown } | { error: CallError };

/**
 * The simulator's own CALLs and their replies. `sequential` is the OCPP-J rule of one CALL in
 * flight, the rest queued in order (ocpp-j-rules §1.7); otherwise every CALL goes out at once,
 * as the FlexiCharge charger does. A timeout is counted from sending, not from queueing.
 */
export class OutboundCalls {
  private readonly queue: PendingCall[] = [];
  /** Sent and unanswered, oldest first. Several may share an id (the FlexiCharge constant id). */
  private readonly inFlight: PendingCall[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (frame: string) => void,
    private readonly timeoutMs: number,
    private readonly sequential: boolean,
  ) {}

  call(id: string, action: string, payload: object): Promise<any> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id, action, frame: JSON.stringify([2, id, action, payload]), resolve, reject });
      this.pump();
    });
  }

  /**
   * Settles the oldest in-flight call with this id (and this action, when the reply names one,
   * as 4-element FlexiCharge results do). Returns false when nothing matches: such a reply is
   * dropped, never matched to another call (ocpp-j-rules §1.6).
   */
  settle(id: unknown, action: string | undefined, reply: Reply): boolean {
    const call = this.inFlight.find((c) => c.id === id && (action === undefined || c.action === action));
    if (!call) return false;
    this.finish(call, reply);
    return true;
  }

  /** Rejects everything queued or in flight, e.g. when the socket has closed. */
  failAll(error: CallError): void {
    for (const call of this.queue.splice(0)) call.reject(error);
    for (const call of [...this.inFlight]) this.finish(call, { error });
    this.pump();
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.queue.length > 0 && !(this.sequential && this.inFlight.length > 0)) {
      const call = this.queue.shift()!;
      try {
        this.send(call.frame);
      } catch (error) {
        call.reject(error instanceof CallError ? error : new CallError('Disconnected', String(error)));
        continue;
      }
      call.timer = setTimeout(
        () => this.finish(call, { error: new CallError('Timeout', `no answer to ${call.action} within ${this.timeoutMs} ms`) }),
        this.timeoutMs,
      );
      this.inFlight.push(call);
    }
    if (this.queue.length === 0 && this.inFlight.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private finish(call: PendingCall, reply: Reply): void {
    clearTimeout(call.timer);
    const index = this.inFlight.indexOf(call);
    if (index < 0) return;
    this.inFlight.splice(index, 1);
    if ('error' in reply) call.reject(reply.error);
    else call.resolve(reply.result);
    this.pump();
  }
}
