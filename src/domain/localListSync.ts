import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { Bus } from './bus.ts';
import type { ChargerGateway, CommandOrigin } from './chargerGateway.ts';
import { getCharger } from './chargers.ts';
import { DomainError } from './errors.ts';
import {
  changesSince, chargerListRow, chargersBehind, currentListVersion, fullList, keepsLocalList, listStateOf, outcomeOfError, recordOutcome,
  type LocalListSnapshot, type LocalListState,
} from './localLists.ts';
import type { ChargerId } from './units.ts';

/** Chargers sent a list at the same time by one node. */
const SEND_CONCURRENCY = 4;
const ORIGIN: CommandOrigin = { subsystem: 'localList' };
/** The configuration keys that bound how many entries a charger takes (OCPP 1.6 §9.1). */
const LENGTH_KEYS = ['SendLocalListMaxLength', 'LocalAuthListMaxLength'];

/** A charger's list as operators see it. */
export interface ChargerListView {
  chargerId: ChargerId;
  state: LocalListState;
  /** The version the charger last confirmed; null when unknown. */
  chargerVersion: number | null;
  /** The version it should hold. */
  expectedVersion: number;
  maxEntries: number | null;
  lastUpdateType: 'Full' | 'Differential' | null;
  lastResult: string | null;
  lastAttemptAt: Date | null;
}

const FLEXICHARGE_RESULT = 'The FlexiCharge charger has no local authorization list (it leaves SendLocalList unanswered)';

/** Why a sync of one charger runs: a card changed, the charger booted, or an operator asked for a Full list. */
type Reason = 'change' | 'boot' | 'force';

interface Running {
  again: Reason | undefined;
  done: Promise<void>;
}

/**
 * Keeps each OCPP 1.6 charger's local authorization list at the current version. A card
 * change is sent as a Differential to every online charger that holds the previous
 * version, by the node where the card changed (through the gateway, which reaches the
 * node holding the socket); a charger that boots is asked its version by the node holding
 * it and gets a Full list when it differs. All state is in the database. Sends run in the
 * background, a few chargers at a time; a charger already being sent to is sent to again
 * afterwards instead of twice at once.
 */
export class LocalListSync {
  readonly #running = new Map<ChargerId, Running>();
  #distributing: Promise<void> | undefined;
  #distributeAgain = false;
  readonly #work = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly gateway: ChargerGateway,
    private readonly logger: Logger,
  ) {}

  /** Listens for accepted boots; returns the way to stop. */
  listen(bus: Bus): () => void {
    return bus.subscribe('chargerBooted', ({ chargerId, facts }, origin) => {
      // Until the first card there is no list to keep, and chargers are not asked.
      if (!origin.local || (facts.listVersion === 0 && !facts.localList)) return;
      this.#background(this.#syncOne(chargerId, 'boot'));
    });
  }

  /** After a card change committed: brings the chargers that take changes up to date, in the background. */
  cardsChanged(): void {
    if (this.#distributing) {
      this.#distributeAgain = true;
      return;
    }
    this.#distributing = this.#distribute().finally(() => {
      this.#distributing = undefined;
      if (this.#distributeAgain) {
        this.#distributeAgain = false;
        this.cardsChanged();
      }
    });
    this.#background(this.#distributing);
  }

  /** Sends the charger a Full list now, whatever it was marked; resolves with its state afterwards. */
  async sendFull(chargerId: ChargerId): Promise<ChargerListView> {
    const charger = await getCharger(this.db, chargerId);
    if (charger.dialect === 'flexicharge') throw new DomainError('conflict', ['localListUnsupported'], FLEXICHARGE_RESULT);
    if (!(await this.gateway.isConnected(chargerId))) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} is not connected`);
    await this.#syncOne(chargerId, 'force');
    return this.view(chargerId);
  }

  async view(chargerId: ChargerId): Promise<ChargerListView> {
    const charger = await getCharger(this.db, chargerId);
    const [row, expected] = await Promise.all([chargerListRow(this.db, chargerId), currentListVersion(this.db)]);
    const flexicharge = charger.dialect === 'flexicharge';
    return {
      chargerId,
      state: flexicharge ? 'unsupported' : listStateOf(row, expected),
      chargerVersion: row?.version ?? null,
      expectedVersion: expected,
      maxEntries: row?.max_entries ?? null,
      lastUpdateType: row?.last_update_type ?? null,
      lastResult: flexicharge ? FLEXICHARGE_RESULT : (row?.last_result ?? null),
      lastAttemptAt: row?.last_attempt_at ?? null,
    };
  }

  /** Waits for the sends under way (on close). */
  async idle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  #background(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.logger.warn({ err: error }, 'local list sync failed')).finally(() => this.#work.delete(tracked));
    this.#work.add(tracked);
  }

  async #distribute(): Promise<void> {
    const chargers = await chargersBehind(this.db, await currentListVersion(this.db));
    let next = 0;
    const worker = async () => {
      while (next < chargers.length) await this.#syncOne(chargers[next++]!, 'change');
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, chargers.length) }, worker));
  }

  /**
   * One sync of a charger at a time on this node: a reason arriving meanwhile runs after it
   * (boot and force outrank change), and the caller waits for that run.
   */
  #syncOne(chargerId: ChargerId, reason: Reason): Promise<void> {
    const running = this.#running.get(chargerId);
    if (running) {
      if (running.again !== 'force' && !(reason === 'change' && running.again)) running.again = reason;
      return running.done;
    }
    const entry: Running = { again: reason, done: Promise.resolve() };
    this.#running.set(chargerId, entry);
    entry.done = (async () => {
      try {
        for (let current = entry.again; current; current = entry.again) {
          entry.again = undefined;
          await this.#sync(chargerId, current);
        }
      } finally {
        this.#running.delete(chargerId);
      }
    })();
    return entry.done;
  }

  async #sync(chargerId: ChargerId, reason: Reason): Promise<void> {
    const row = await chargerListRow(this.db, chargerId);
    const expected = await currentListVersion(this.db);
    if (reason === 'boot') {
      // Until the first card there is no list to keep, and chargers are not asked.
      if ((expected === 0 && !row) || !(await keepsLocalList(this.db, chargerId))) return;
      let held: number;
      try {
        held = (await this.gateway.send(chargerId, 'GetLocalListVersion', {}, ORIGIN)).listVersion;
      } catch (error) {
        return recordOutcome(this.db, chargerId, outcomeOfError(error));
      }
      // -1: the charger has no local list (OCPP 1.6 §5.10).
      if (held < 0) return recordOutcome(this.db, chargerId, { status: 'unsupported', version: null, result: `GetLocalListVersion answered ${held}` });
      if (held === expected) return recordOutcome(this.db, chargerId, { status: 'synced', version: held, result: 'GetLocalListVersion: in sync' });
      return this.#sendFull(chargerId);
    }
    if (reason === 'change') {
      if (row && row.status !== 'synced') return;
      if (row?.version === expected) return;
      if (row && row.version !== null && row.version < expected) {
        const changes = await changesSince(this.db, row.version);
        if (row.max_entries === null || changes.entries.length <= row.max_entries) {
          if (await this.#send(chargerId, 'Differential', changes)) return;
        }
      }
    }
    return this.#sendFull(chargerId);
  }

  async #sendFull(chargerId: ChargerId): Promise<void> {
    const maxEntries = await this.#maxEntries(chargerId);
    const list = await fullList(this.db);
    if (maxEntries !== null && list.entries.length > maxEntries) {
      return recordOutcome(this.db, chargerId, {
        status: 'failed', updateType: 'Full', maxEntries, result: `tooLarge: ${list.entries.length} cards, the charger takes at most ${maxEntries}`,
      });
    }
    await this.#send(chargerId, 'Full', list, maxEntries);
  }

  /**
   * Sends one SendLocalList and records the outcome; false when a Differential should be
   * followed by a Full list (the charger's list was not the one the Differential starts from).
   */
  async #send(chargerId: ChargerId, updateType: 'Full' | 'Differential', list: LocalListSnapshot, maxEntries?: number | null): Promise<boolean> {
    let status: string;
    try {
      ({ status } = await this.gateway.send(chargerId, 'SendLocalList', {
        listVersion: list.version, updateType, localAuthorizationList: list.entries,
      }, ORIGIN));
    } catch (error) {
      const outcome = { ...outcomeOfError(error, updateType), maxEntries };
      if (updateType === 'Differential' && outcome.status === 'failed' && error instanceof DomainError && error.kind === 'badGateway') return false;
      await recordOutcome(this.db, chargerId, outcome);
      return true;
    }
    if (status === 'Accepted') {
      await recordOutcome(this.db, chargerId, { status: 'synced', version: list.version, updateType, maxEntries, result: status });
      return true;
    }
    if (status === 'NotSupported') {
      await recordOutcome(this.db, chargerId, { status: 'unsupported', version: null, updateType, maxEntries, result: status });
      return true;
    }
    if (updateType === 'Differential') return false;
    await recordOutcome(this.db, chargerId, { status: 'failed', updateType, maxEntries, result: status });
    return true;
  }

  /** The most entries the charger takes, as its configuration says; null when it does not say. */
  async #maxEntries(chargerId: ChargerId): Promise<number | null> {
    try {
      const { configurationKey = [] } = await this.gateway.send(chargerId, 'GetConfiguration', { key: LENGTH_KEYS }, ORIGIN);
      const reported = configurationKey
        .filter((entry) => LENGTH_KEYS.includes(entry.key) && entry.value !== undefined && /^\d+$/.test(entry.value.trim()))
        .map((entry) => Number(entry.value));
      return reported.length > 0 ? Math.min(...reported) : null;
    } catch (error) {
      // A charger without GetConfiguration may still keep a list: it just does not say how long.
      if (!(error instanceof DomainError)) throw error;
      return null;
    }
  }
}
