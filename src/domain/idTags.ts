import type { Db } from '../db/connection.ts';

export type IdTagStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

/** OCPP IdTagInfo. */
export interface IdTagInfo {
  status: IdTagStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

const RUNNING = ['Starting', 'Charging', 'Stopping'];

/**
 * What an idTag (RFID card) may do, from the database: unknown tags are Invalid, a
 * blocked or expired tag (or one whose parent is) says so, and a tag already in a running
 * session elsewhere is ConcurrentTx. idTags compare case-insensitively (CiString20).
 */
export async function authorizeIdTag(db: Db, idTag: string, now = new Date()): Promise<IdTagInfo> {
  const tag = await db.selectFrom('id_tags').selectAll().where((eb) => eb(eb.fn('upper', ['id_tag']), '=', idTag.toUpperCase())).executeTakeFirst();
  if (!tag) return (await isStartingSessionTag(db, idTag)) ? { status: 'Accepted' } : { status: 'Invalid' };
  const info: IdTagInfo = { status: 'Accepted' };
  if (tag.parent_id_tag) info.parentIdTag = tag.parent_id_tag;
  if (tag.expires_at) info.expiryDate = tag.expires_at.toISOString();
  if (tag.status !== 'Accepted') return { ...info, status: tag.status as IdTagStatus };
  if (tag.expires_at && tag.expires_at <= now) return { ...info, status: 'Expired' };
  if (tag.parent_id_tag) {
    const parent = await authorizeIdTag(db, tag.parent_id_tag, now);
    if (parent.status === 'Blocked' || parent.status === 'Expired') return { ...info, status: parent.status };
  }
  const running = await db
    .selectFrom('charging_sessions')
    .select('id')
    .where((eb) => eb(eb.fn('upper', ['id_tag']), '=', idTag.toUpperCase()))
    .where('status', 'in', RUNNING)
    .executeTakeFirst();
  return running ? { ...info, status: 'ConcurrentTx' } : info;
}

/** The user an idTag belongs to, if any. */
export async function ownerOfIdTag(db: Db, idTag: string): Promise<number | null> {
  const tag = await db.selectFrom('id_tags').select('user_id').where((eb) => eb(eb.fn('upper', ['id_tag']), '=', idTag.toUpperCase())).executeTakeFirst();
  return tag?.user_id ?? null;
}

/** A session started from the app presents its own tag; it is valid until that session has begun. */
async function isStartingSessionTag(db: Db, idTag: string): Promise<boolean> {
  const session = await db.selectFrom('charging_sessions').select('id').where('id_tag', '=', idTag).where('status', 'in', ['Created', 'Starting']).executeTakeFirst();
  return session !== undefined;
}
