import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { UserRow } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { Role } from './tokens.ts';

export type User = UserRow;

export interface NewUser {
  email: string;
  password: string;
  role: Role;
  firstName?: string;
  lastName?: string;
}

export function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function createUser(db: Db, input: NewUser): Promise<User> {
  try {
    return await db
      .insertInto('users')
      .values({
        email: input.email,
        role: input.role,
        password_hash: await hashPassword(input.password),
        first_name: input.firstName ?? '',
        last_name: input.lastName ?? '',
        email_verified: true,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', ['UsernameExistsException'], 'An account with the given email already exists.');
    throw error;
  }
}

export interface InitialAdmin {
  email: string;
  /** Set only when the password was generated here and must be shown once. */
  generatedPassword?: string;
}

/** Creates the first admin when there is none; returns undefined when one exists already. */
export async function ensureInitialAdmin(db: Db, email: string, password: string): Promise<InitialAdmin | undefined> {
  const existing = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('deleted_at', 'is', null).executeTakeFirst();
  if (existing) return undefined;
  const generatedPassword = password ? undefined : randomBytes(12).toString('base64url');
  try {
    await createUser(db, { email, password: password || generatedPassword!, role: 'admin', firstName: 'Admin' });
  } catch (error) {
    // Another node starting at the same time created it first.
    if (await db.selectFrom('users').select('id').where('email', '=', email).where('role', '=', 'admin').executeTakeFirst()) return undefined;
    throw error;
  }
  return { email, generatedPassword };
}
