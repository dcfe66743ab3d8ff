import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/connection.ts';
import { isDatabaseUnavailable, isTransientConflict } from '../db/errors.ts';
import type { ChargingFact, FactSink } from '../domain/chargingFacts.ts';
import { factStatements } from './applyFacts.ts';
import { Journal, type JournalRecord } from './journal.ts';

export interface IngestStatus {
  /** `direct`: facts go straight to the database; `journal`: the database is away (or the journal is draining into it). */
  mode: 'direct' | 'journal';
  /** Journal records (one per submission) not yet in the database. */
  backlog: number;
  journalBytes: number;
  /** When the current outage began. */
  since: string | null;
  /** Facts the database refused as such, kept in DATA_DIR/journal/rejected.jsonl. */
  rejected: number;
}

export interface IngestOptions {
  /**
   * Batches stored at the same time (default 1). A charger's next message waits for the
   * answer to its last, so concurrent batches never hold two facts of one conversation;
   * a server database takes several, the embedded one runs them one by one anyway.
   */
  concurrency?: number;
  /** A batch the database has not stored after this long goes to the journal (a hung connection, a network that swallows packets). */
  applyTimeoutMs?: number;
  /** How often to try the database again during an outage. */
  retryMs?: number;
}

interface Waiting {
  facts: ChargingFact[];
  resolve: () => void;
  /** performance.now() of the submission. */
  since: number;
}

/** Facts per database batch: big enough to amortise a round trip, small enough to keep statements quick. */
const BATCH_FACTS = 1000;
const DRAIN_RECORDS = 500;
const TRANSIENT_RETRIES = 5;
/**
 * While the journal drains into a database that answers again, new facts wait (at most
 * this long) for the backlog to clear instead of joining it: otherwise chargers answered
 * at journal speed could outrun the drain for ever. Short of a charger's call timeout.
 */
const CATCH_UP_HOLD_MS = 5_000;
const PRUNE_EVERY = 2000;

class ApplyTimeout extends Error {
  constructor(ms: number) {
    super(`the database did not store the batch within ${ms} ms`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The durable path for what chargers report. `submit` resolves once the facts are
 * durable, so a charger is answered only then: normally they are stored in the database
 * in groups (everything submitted while the previous group was being written goes in one
 * transaction); when the database cannot be reached they are appended to the local
 * journal (fsync'ed in groups) and replayed into the database, in order, once it answers
 * again. While anything waits in the journal every new fact goes behind it, so the
 * database always receives facts in the order they were decided. Facts are idempotent,
 * so a batch stored twice (a commit whose answer was lost) changes nothing.
 */
export class IngestPipeline implements FactSink {
  readonly #waiting: Waiting[] = [];
  #mode: IngestStatus['mode'];
  #since: Date | null = null;
  #appliedSeq: number;
  #prunedAt: number;
  #scheduled = false;
  /** Batches being stored (or appended) right now. */
  #running = 0;
  #idleWaiters: (() => void)[] = [];
  #appending = 0;
  #draining: Promise<void> | undefined;
  #rejected = 0;
  #closed = false;
  /** The journal is draining: the database answers again. */
  #catchingUp = false;
  #modeWaiters: (() => void)[] = [];
  readonly #applyTimeoutMs: number;
  readonly #retryMs: number;
  readonly #concurrency: number;

  private constructor(
    private readonly database: DatabaseHandle,
    private readonly journal: Journal<ChargingFact[]>,
    private readonly rejectedFile: string,
    appliedSeq: number,
    private readonly onApplied: (facts: ChargingFact[]) => void,
    private readonly logger: Logger,
    options: IngestOptions,
  ) {
    this.#appliedSeq = appliedSeq;
    this.#prunedAt = appliedSeq;
    this.#applyTimeoutMs = options.applyTimeoutMs ?? 5000;
    this.#retryMs = options.retryMs ?? 500;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#mode = journal.lastSeq > appliedSeq ? 'journal' : 'direct';
    if (this.#mode === 'journal') this.#since = new Date();
  }

  /** Opens the journal in `dir` and reads how far it has been stored (the database must answer). */
  static async open(database: DatabaseHandle, dir: string, onApplied: (facts: ChargingFact[]) => void, logger: Logger, options: IngestOptions = {}): Promise<IngestPipeline> {
    const journal = await Journal.open<ChargingFact[]>(dir, { onWarning: (message, details) => logger.warn(details, message) });
    const row = await database.db.selectFrom('ingest_checkpoints').select('applied_seq').where('journal_id', '=', journal.id).executeTakeFirst();
    const appliedSeq = Math.min(Number(row?.applied_seq ?? 0), journal.lastSeq);
    const pipeline = new IngestPipeline(database, journal, path.join(dir, 'rejected.jsonl'), appliedSeq, onApplied, logger, options);
    if (pipeline.#mode === 'journal') logger.warn({ backlog: journal.lastSeq - appliedSeq }, 'charger data waits in the journal from before');
    return pipeline;
  }

  submit(facts: ChargingFact[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The central system is shutting down'));
    if (facts.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiting.push({ facts, resolve, since: performance.now() });
      this.#schedule();
    });
  }

  /** Facts are waiting in the journal: what the charger side remembers is newer than the database. */
  get backlogged(): boolean {
    return this.#mode === 'journal';
  }

  status(): IngestStatus {
    return {
      mode: this.#mode,
      backlog: this.journal.lastSeq - this.#appliedSeq,
      journalBytes: this.journal.sizeBytes,
      since: this.#since?.toISOString() ?? null,
      rejected: this.#rejected,
    };
  }

  /** Stores everything the journal holds (waiting for the database as long as it takes); for start-up. */
  async drain(): Promise<void> {
    while (this.#mode === 'journal') {
      this.#startDrain();
      await this.#draining;
    }
  }

  /** Stores or journals everything submitted, then closes the journal. */
  async close(): Promise<void> {
    while (this.#running || this.#waiting.length || this.#scheduled) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
    this.#closed = true;
    await this.#draining;
    await this.journal.close();
  }

  #schedule(): void {
    if (this.#scheduled || this.#running >= this.#concurrency) return;
    this.#scheduled = true;
    // One turn of the event loop lets the messages that arrive together form one batch.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#waiting.length && this.#running < this.#concurrency) {
        const batch = this.#takeBatch();
        this.#running++;
        void this.#store(batch).finally(() => {
          this.#running--;
          if (this.#waiting.length) this.#schedule();
          else if (this.#running === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
        });
      }
    });
  }

  #takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let size = 0;
    while (this.#waiting.length && (size === 0 || size + this.#waiting[0]!.facts.length <= BATCH_FACTS)) {
      const next = this.#waiting.shift()!;
      batch.push(next);
      size += next.facts.length;
    }
    return batch;
  }

  async #store(batch: Waiting[]): Promise<void> {
    for (;;) {
      try {
        await this.#persist(batch);
        break;
      } catch (error) {
        // Only a defect gets here; the batch is tried again rather than answered unstored.
        this.logger.error({ err: error }, 'could not store charger facts; trying again');
        await sleep(this.#retryMs);
      }
    }
    for (const waiting of batch) waiting.resolve();
  }

  /** Makes a batch durable, in the database or the journal; holds (retrying) while neither can take it. */
  async #persist(batch: Waiting[]): Promise<void> {
    const facts = batch.flatMap((waiting) => waiting.facts);
    for (let conflicts = 0; ;) {
      if (this.#mode === 'direct') {
        try {
          await this.#applyInTime(facts);
          this.#applied(facts);
          return;
        } catch (error) {
          if (isTransientConflict(error) && ++conflicts < TRANSIENT_RETRIES) continue;
          if (!this.#unavailable(error)) {
            const rest = await this.#applyOneByOne(facts);
            if (rest.length === 0) return;
            return this.#persist([{ facts: rest, resolve: () => {}, since: batch[0]!.since }]);
          }
          this.#enterOutage(error);
        }
      }
      // Held from its submission on, so waiting behind other held batches does not add up.
      const holdLeft = batch[0]!.since + CATCH_UP_HOLD_MS - performance.now();
      if (this.#catchingUp && holdLeft > 0) {
        await this.#stateChange(holdLeft);
        if (this.#mode === 'direct') continue;
      }
      try {
        this.#appending++;
        await this.journal.append(batch.map((waiting) => waiting.facts));
        this.#startDrain();
        return;
      } catch (error) {
        this.logger.error({ err: error, facts: facts.length }, 'cannot write the journal; holding the answers');
        // With nothing in the journal before it, the batch may go to the database directly if that is back.
        if (this.journal.lastSeq === this.#appliedSeq) this.#setMode('direct');
        await sleep(this.#retryMs);
      } finally {
        this.#appending--;
      }
    }
  }

  /** Resolves when the mode or the catch-up changes, or after `ms`. */
  #stateChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#modeWaiters.push(done);
    });
  }

  #setMode(mode: IngestStatus['mode']): void {
    this.#mode = mode;
    this.#catchingUp = false;
    for (const wake of this.#modeWaiters.splice(0)) wake();
  }

  #unavailable(error: unknown): boolean {
    return error instanceof ApplyTimeout || isDatabaseUnavailable(error);
  }

  #enterOutage(error: unknown): void {
    if (this.#mode === 'journal') return;
    this.#setMode('journal');
    this.#since = new Date();
    this.logger.error({ err: error }, 'the database does not store charger data; keeping it in the journal until it does');
  }

  async #applyInTime(facts: ChargingFact[], checkpoint?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const statements = factStatements(facts);
    if (checkpoint !== undefined) {
      statements.push(sql`
        insert into ingest_checkpoints (journal_id, applied_seq) values (${this.journal.id}, ${checkpoint})
        on conflict (journal_id) do update set applied_seq = excluded.applied_seq, updated_at = now()`);
    }
    // A single statement commits on its own; several (and a checkpoint with its records) go in one transaction.
    const work = this.database.runStatements(statements.map((statement) => statement.compile(this.database.db)));
    // Left running after a timeout, it may still commit: storing the same facts again later changes nothing.
    work.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new ApplyTimeout(this.#applyTimeoutMs)), this.#applyTimeoutMs); });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A batch the database refused as such (not for being away): each fact alone, so one
   * bad fact cannot hold back the others. A fact refused on its own is kept in
   * rejected.jsonl and logged. Returns the facts left when the database went away meanwhile.
   */
  async #applyOneByOne(facts: ChargingFact[], checkpoint?: number): Promise<ChargingFact[]> {
    for (const [index, fact] of facts.entries()) {
      try {
        await this.#applyInTime([fact], index === facts.length - 1 ? checkpoint : undefined);
        this.#applied([fact]);
      } catch (error) {
        if (this.#unavailable(error)) return facts.slice(index);
        await this.#reject(fact, error);
        if (index === facts.length - 1 && checkpoint !== undefined) await this.#applyInTime([], checkpoint);
      }
    }
    return [];
  }

  async #reject(fact: ChargingFact, error: unknown): Promise<void> {
    this.#rejected++;
    this.logger.error({ err: error, fact }, 'the database refused a charger fact; kept in rejected.jsonl');
    const line = JSON.stringify({ at: new Date().toISOString(), error: error instanceof Error ? error.message : String(error), fact });
    await fs.appendFile(this.rejectedFile, `${line}\n`).catch((writeError: unknown) => this.logger.error({ err: writeError }, 'could not keep the refused fact'));
  }

  #applied(facts: ChargingFact[]): void {
    try {
      this.onApplied(facts);
    } catch (error) {
      this.logger.error({ err: error }, 'a listener of stored charger facts failed');
    }
  }

  #startDrain(): void {
    this.#draining ??= this.#drainLoop()
      .catch(async (error: unknown) => {
        // A journal that cannot be read now (a disk error) is read again, not given up on.
        this.logger.error({ err: error }, 'could not replay the journal; trying again');
        await sleep(this.#retryMs);
      })
      .finally(() => {
        this.#draining = undefined;
        if (this.#mode === 'journal' && !(this.#closed && this.journal.lastSeq > this.#appliedSeq)) this.#startDrain();
      });
  }

  /** Replays the journal into the database, in order, until nothing waits; then facts go to the database directly again. */
  async #drainLoop(): Promise<void> {
    while (this.#mode === 'journal') {
      if (this.#closed && this.journal.lastSeq > this.#appliedSeq) {
        // Shutting down mid-outage: the journal keeps the rest for the next start.
        return;
      }
      if (this.journal.lastSeq === this.#appliedSeq) {
        // Nothing left and no append in flight: what comes next may go to the database directly.
        if (this.#appending === 0) {
          this.logger.info({ outageSeconds: this.#since ? Math.round((Date.now() - this.#since.getTime()) / 1000) : 0 }, 'the journal is stored; charger data goes to the database directly again');
          this.#setMode('direct');
          this.#since = null;
          await this.#prune();
          return;
        }
        await sleep(1);
        continue;
      }
      const records = await this.journal.read(this.#appliedSeq, DRAIN_RECORDS);
      if (records.length === 0) {
        // Records the journal could not give back (damaged on disk): said loudly, then passed.
        this.logger.error({ from: this.#appliedSeq + 1, to: this.journal.lastSeq }, 'journal records are missing');
        this.#appliedSeq = this.journal.lastSeq;
        continue;
      }
      const stored = await this.#drainBatch(records);
      if (stored !== this.#catchingUp) {
        this.#catchingUp = stored;
        // Facts held for the catch-up go to the journal at once when the database is away again.
        for (const wake of this.#modeWaiters.splice(0)) wake();
      }
      if (!stored) await sleep(this.#retryMs);
    }
  }

  /** Stores journal records with the checkpoint in the same transaction; false when the database is still away. */
  async #drainBatch(records: JournalRecord<ChargingFact[]>[]): Promise<boolean> {
    const facts = records.flatMap((record) => record.value);
    const last = records.at(-1)!.seq;
    for (let conflicts = 0; ;) {
      try {
        await this.#applyInTime(facts, last);
        break;
      } catch (error) {
        if (isTransientConflict(error) && ++conflicts < TRANSIENT_RETRIES) continue;
        if (this.#unavailable(error)) return false;
        if ((await this.#applyOneByOne(facts, last)).length) return false;
        this.#appliedSeq = last;
        return true;
      }
    }
    this.#appliedSeq = last;
    this.#applied(facts);
    if (this.#appliedSeq - this.#prunedAt >= PRUNE_EVERY) await this.#prune();
    return true;
  }

  async #prune(): Promise<void> {
    this.#prunedAt = this.#appliedSeq;
    await this.journal.prune(this.#appliedSeq).catch((error: unknown) => this.logger.warn({ err: error }, 'could not remove stored journal segments'));
  }
}
