import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { literalList } from '../db/literals.ts';
import type { SessionStatus } from '../db/schema.ts';
import { NOT_BEGUN_SESSION_STATUSES } from './sessions/status.ts';
import type { UserId } from './units.ts';

export type IdTagStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

/** OCPP IdTagInfo. */
export interface IdTagInfo {
  status: IdTagStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

/** What the database knows about an idTag (RFID card), for authorizing it. */
export interface CardRecord {
  /** Registered in id_tags. */
  known: boolean;
  status: string | null;
  expiresAt: Date | null;
  parentIdTag: string | null;
  parentStatus: string | null;
  parentExpiresAt: Date | null;
  userId: UserId | null;
  /** Sessions charging with this card (a few at most). */
  chargingSessionIds: number[];
  /** The tag of a session started from the app that has not begun yet. */
  appSession: boolean;
}

/**
 * Many idTags in one query (compared case-insensitively, CiString20), in the order asked.
 * A parent tag counts one level up: a blocked or expired parent blocks its children.
 */
export async function lookupCards(db: Db, idTags: string[]): Promise<CardRecord[]> {
  const { rows } = await sql<{
    i: number; known: boolean; status: string | null; expires_at: Date | null; parent_id_tag: string | null;
    parent_status: string | null; parent_expires_at: Date | null; user_id: number | null; charging: number[]; app_session: boolean;
  }>`
    select t.i, card.id is not null as known, card.status, card.expires_at, card.parent_id_tag, card.user_id,
      parent.status as parent_status, parent.expires_at as parent_expires_at,
      array(select s.id from charging_sessions s where upper(s.id_tag) = upper(t.tag) and s.status = ${sql.lit('Charging' satisfies SessionStatus)} limit 5) as charging,
      exists(select 1 from charging_sessions s where upper(s.id_tag) = upper(t.tag) and s.id_tag = t.tag and s.status in ${literalList(NOT_BEGUN_SESSION_STATUSES)}) as app_session
    from unnest(${idTags}::text[]) with ordinality as t(tag, i)
    left join id_tags card on upper(card.id_tag) = upper(t.tag)
    left join id_tags parent on upper(parent.id_tag) = upper(card.parent_id_tag)`.execute(db);
  const byIndex = new Map(rows.map((row) => [Number(row.i), row]));
  return idTags.map((_tag, index) => {
    const row = byIndex.get(index + 1)!;
    return {
      known: row.known,
      status: row.status,
      expiresAt: row.expires_at,
      parentIdTag: row.parent_id_tag,
      parentStatus: row.parent_status,
      parentExpiresAt: row.parent_expires_at,
      userId: row.user_id,
      chargingSessionIds: row.charging.map(Number),
      appSession: row.app_session,
    };
  });
}

/**
 * What a card may do: unknown tags are Invalid (unless an app session presents them), a
 * blocked or expired tag (or one whose parent is) says so, and a tag already charging
 * elsewhere is ConcurrentTx.
 */
export function authorizationOf(card: CardRecord, charging: boolean, now = new Date()): IdTagInfo {
  if (!card.known) return { status: card.appSession ? 'Accepted' : 'Invalid' };
  const info: IdTagInfo = { status: 'Accepted' };
  if (card.parentIdTag) info.parentIdTag = card.parentIdTag;
  if (card.expiresAt) info.expiryDate = card.expiresAt.toISOString();
  if (card.status !== 'Accepted') return { ...info, status: card.status as IdTagStatus };
  if (card.expiresAt && card.expiresAt <= now) return { ...info, status: 'Expired' };
  if (card.parentStatus === 'Blocked' || card.parentStatus === 'Expired') return { ...info, status: card.parentStatus };
  if (card.parentExpiresAt && card.parentExpiresAt <= now) return { ...info, status: 'Expired' };
  return charging ? { ...info, status: 'ConcurrentTx' } : info;
}
