import type { Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.ts';
import type { IdTagsTable } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { recordCardChanges } from './localLists.ts';
import type { UserId } from './units.ts';

export type IdTagRow = Selectable<IdTagsTable>;

export interface IdTagInput {
  idTag: string;
  userId?: UserId | null;
  parentIdTag?: string | null;
  status?: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  expiresAt?: Date | null;
}

function translate(error: unknown): unknown {
  if (isUniqueViolation(error)) return new DomainError('invalid', ['dbUniqueConstraintError'], 'This idTag exists already');
  if (isForeignKeyViolation(error)) return new DomainError('invalid', ['invalidUserID'], 'No such user');
  return error;
}

const byTag = (idTag: string) => (eb: any) => eb(eb.fn('upper', ['id_tag']), '=', idTag.toUpperCase());

/**
 * RFID cards (OCPP idTags) as operators manage them; a card with a user bills that user.
 * Every change gives the local authorization list a new version in the same transaction;
 * the caller then has it sent to the chargers (LocalListSync.cardsChanged).
 */
export function listIdTags(db: Db, userId?: UserId): Promise<IdTagRow[]> {
  let query = db.selectFrom('id_tags').selectAll().orderBy('id');
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.execute();
}

export async function createIdTag(db: Db, input: IdTagInput): Promise<IdTagRow> {
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('id_tags')
        .values({
          id_tag: input.idTag,
          user_id: input.userId ?? null,
          parent_id_tag: input.parentIdTag ?? null,
          status: input.status ?? 'Accepted',
          expires_at: input.expiresAt ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordCardChanges(trx, [row.id_tag]);
      return row;
    });
  } catch (error) {
    throw translate(error);
  }
}

export async function updateIdTag(db: Db, idTag: string, changes: Omit<IdTagInput, 'idTag'>): Promise<IdTagRow> {
  // An unknown card is not found, whatever the change (an unknown user included).
  if (!(await db.selectFrom('id_tags').select('id').where(byTag(idTag)).executeTakeFirst())) throw notFound(`idTag ${idTag}`);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('id_tags')
        .set({ user_id: changes.userId, parent_id_tag: changes.parentIdTag, status: changes.status, expires_at: changes.expiresAt })
        .where(byTag(idTag))
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound(`idTag ${idTag}`);
      // Who the card bills is not in the list; everything else is.
      if (changes.parentIdTag !== undefined || changes.status !== undefined || changes.expiresAt !== undefined) await recordCardChanges(trx, [row.id_tag]);
      return row;
    });
  } catch (error) {
    throw translate(error);
  }
}

export async function deleteIdTag(db: Db, idTag: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('id_tags').where(byTag(idTag)).returning('id_tag').executeTakeFirst();
    if (!removed) throw notFound(`idTag ${idTag}`);
    await recordCardChanges(trx, [removed.id_tag]);
  });
}
