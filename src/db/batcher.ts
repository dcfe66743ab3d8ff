/**
 * Coalesces calls made within `windowMs` into one batch, run by `flush` (one database
 * statement for many chargers in a reconnect storm). One flush runs at a time; calls
 * arriving meanwhile form the next batch. Each call resolves with its own result.
 */
export class Batcher<T, R> {
  #pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  #running: Promise<void> | undefined;
  #scheduled = false;

  constructor(private readonly flush: (items: T[]) => Promise<R[]>, private readonly windowMs = 0) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once everything added so far has been flushed. */
  async drain(): Promise<void> {
    while (this.#pending.length || this.#running || this.#scheduled) await (this.#running ?? new Promise((resolve) => setImmediate(resolve)));
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    const start = () => {
      this.#scheduled = false;
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
        if (this.#pending.length) this.#schedule();
      });
    };
    if (this.windowMs > 0) setTimeout(start, this.windowMs);
    else setImmediate(start);
  }

  async #run(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    try {
      const results = await this.flush(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
