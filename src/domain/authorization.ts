import type { Db } from '../db/connection.ts';
import { Batcher } from '../db/batcher.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import type { ChargerSessions } from './sessions/chargerSessions.ts';
import { authorizationOf, lookupCards, type CardRecord, type IdTagInfo } from './idTags.ts';
import type { UserId } from './units.ts';

export interface Authorization {
  info: IdTagInfo;
  /** Who the card bills. */
  userId: UserId | null;
  /** Decided without the database (it was away): from what it said last, or accepted. */
  offline: boolean;
}

/** Cards remembered for outages; the oldest are forgotten first. */
const REMEMBERED_CARDS = 100_000;

/**
 * Authorizes idTags (Authorize, StartTransaction, StopTransaction). Cards asked about
 * at the same moment share one query. While the database is away a card is judged by
 * what the database said about it last, and a card never seen is accepted and the
 * session flagged, as a charger's own offline authorization would (a driver is not
 * turned away because the central system's database blinked).
 */
export class Authorizer {
  readonly #lookups: Batcher<string, CardRecord>;
  readonly #remembered = new Map<string, CardRecord>();

  constructor(db: Db, private readonly sessions: ChargerSessions) {
    this.#lookups = new Batcher((tags) => lookupCards(db, tags));
  }

  /** `ending`: sessions that end with this message (a new transaction on their connector) and no longer count as charging. */
  async authorize(idTag: string, ending: readonly number[] = []): Promise<Authorization> {
    const key = idTag.toUpperCase();
    let card: CardRecord | undefined;
    let offline = false;
    try {
      card = await this.#lookups.add(idTag);
      this.#remember(key, card);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      offline = true;
      card = this.#remembered.get(key);
    }
    if (!card) return { info: { status: 'Accepted' }, userId: null, offline };
    // The memory knows this node's sessions before they are stored; the database knows every node's.
    const charging = this.sessions.isCharging(idTag) || (!offline && card.chargingSessionIds.some((id) => !ending.includes(id)));
    return { info: authorizationOf(card, charging), userId: card.userId, offline };
  }

  #remember(key: string, card: CardRecord): void {
    this.#remembered.delete(key);
    this.#remembered.set(key, card);
    if (this.#remembered.size > REMEMBERED_CARDS) this.#remembered.delete(this.#remembered.keys().next().value!);
  }
}
