/** Every wait of the self-test is at most this long, times the interval multiplier. */
export const BASE_WAIT_MS = 5000;

const POLL_MS = 25;

/** A check of the self-test that did not hold; its message is the logged reason. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

export function check(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new CheckFailed(reason);
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bounded waits: each one ends after `timeoutMs` at the latest, or at once when `signal` aborts. */
export class Waits {
  readonly timeoutMs: number;

  constructor(intervalMultiplier: number, private readonly signal?: AbortSignal) {
    const multiplier = Number.isFinite(intervalMultiplier) && intervalMultiplier > 0 ? intervalMultiplier : 1;
    this.timeoutMs = Math.max(100, Math.round(BASE_WAIT_MS * multiplier));
  }

  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** `work`, unless it takes longer than the wait (it is not cancelled, only no longer awaited). */
  within<T>(work: Promise<T>, what: string, timeoutMs = this.timeoutMs): Promise<T> {
    work.catch(() => undefined);
    if (this.aborted) return Promise.reject(new CheckFailed(`aborted while waiting for ${what}`));
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(new CheckFailed(`aborted while waiting for ${what}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new CheckFailed(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.signal?.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  /** Polls `probe` until it returns something other than undefined/false; fails after the wait. */
  async until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = this.timeoutMs): Promise<Exclude<T, undefined | false>> {
    const deadline = Date.now() + timeoutMs;
    const maxRounds = Math.ceil(timeoutMs / POLL_MS) + 1;
    for (let round = 0; round <= maxRounds; round++) {
      const value = await probe();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
      if (this.aborted) throw new CheckFailed(`aborted while waiting for ${what}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await this.sleep(Math.min(POLL_MS, remaining));
    }
    throw new CheckFailed(`${what}: not within ${timeoutMs} ms`);
  }

  /** A pause that ends early on abort. */
  sleep(ms: number): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
