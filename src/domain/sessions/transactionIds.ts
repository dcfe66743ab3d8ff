import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';

const BLOCK = 256;
const RETRY_MS = 1000;

/**
 * Session ids (OCPP transactionIds) reserved ahead from the sessions' own sequence, so a
 * StartTransaction is answered without a database round trip, also while the database
 * is away. Every node reserves its own blocks, so ids never collide; ids reserved by a
 * process that ends are simply never used. When the reserve runs out during an outage,
 * a start waits for the database (its charger sends it again after its timeout) rather
 * than being refused.
 */
export class TransactionIds {
  readonly #free: number[] = [];
  #refill: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly db: Db, private readonly onRetry: (error: unknown) => void = () => {}) {}

  /** Fills the reserve; call before chargers are served. */
  async prepare(): Promise<void> {
    await this.#startRefill();
  }

  async next(): Promise<number> {
    while (this.#free.length === 0) {
      if (this.#closed) throw new Error('The central system is shutting down');
      await this.#startRefill();
    }
    const id = this.#free.shift()!;
    if (this.#free.length < BLOCK / 2) void this.#startRefill();
    return id;
  }

  close(): void {
    this.#closed = true;
  }

  #startRefill(): Promise<void> {
    this.#refill ??= this.#reserve().finally(() => { this.#refill = undefined; });
    return this.#refill;
  }

  async #reserve(): Promise<void> {
    for (;;) {
      try {
        const { rows } = await sql<{ id: number }>`
          select nextval(pg_get_serial_sequence('charging_sessions', 'id'))::int as id from generate_series(1, ${BLOCK})`.execute(this.db);
        this.#free.push(...rows.map((row) => Number(row.id)));
        return;
      } catch (error) {
        if (this.#closed) return;
        this.onRetry(error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
