import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { checkPasswordPolicy, type Accounts, type User } from './accounts.ts';
import { DomainError } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { Role } from './tokens.ts';

/** Admin management of user and admin accounts; each operation acts on one role only. */

const notFound = () => new DomainError('notFound', ['UserNotFoundException'], 'User does not exist.');

/** The profile attributes by their identity-service names. */
const ATTRIBUTE_COLUMNS = {
  name: 'first_name',
  family_name: 'last_name',
  phone_number: 'phone_number',
  'custom:street_address': 'street_address',
  'custom:zip_code': 'zip_code',
  'custom:city': 'city',
  'custom:country': 'country',
} as const;

export type AttributeName = keyof typeof ATTRIBUTE_COLUMNS | 'email' | 'email_verified';

export function attributesOf(user: User): { Name: string; Value: string }[] {
  return [
    { Name: 'sub', Value: String(user.id) },
    { Name: 'email', Value: user.email },
    { Name: 'email_verified', Value: String(user.email_verified) },
    ...Object.entries(ATTRIBUTE_COLUMNS).map(([name, column]) => ({ Name: name, Value: user[column] })),
  ];
}

export class UserAdmin {
  constructor(private readonly db: Db, private readonly accounts: Accounts) {}

  /** A page of accounts of a role, oldest first; `after` is the token of the previous page. */
  async list(role: Role, limit: number, after?: string): Promise<{ users: User[]; next?: string }> {
    const afterId = after ? Number(Buffer.from(after, 'base64url').toString()) : 0;
    if (!Number.isInteger(afterId) || afterId < 0) throw new DomainError('invalid', ['InvalidParameterException'], 'Invalid pagination token');
    const rows = await this.db
      .selectFrom('users').selectAll()
      .where('role', '=', role).where('deleted_at', 'is', null).where('id', '>', afterId)
      .orderBy('id').limit(limit + 1)
      .execute();
    const users = rows.slice(0, limit);
    return { users, next: rows.length > limit ? Buffer.from(String(users.at(-1)!.id)).toString('base64url') : undefined };
  }

  /** An account by e-mail (the user name) or by its numeric id. */
  async find(role: Role, username: string): Promise<User> {
    let query = this.db.selectFrom('users').selectAll().where('role', '=', role).where('deleted_at', 'is', null);
    query = /^\d+$/.test(username) ? query.where('id', '=', Number(username)) : query.where((eb) => eb(eb.fn('lower', ['email']), '=', username.toLowerCase()));
    const user = await query.executeTakeFirst();
    if (!user) throw notFound();
    return user;
  }

  /**
   * Creates an account with a temporary password (given, or generated) and e-mails it;
   * the first sign-in must choose a new password.
   */
  async create(role: Role, input: { email: string; password?: string; firstName?: string; lastName?: string; phoneNumber?: string }): Promise<User> {
    const temporary = input.password ?? `${randomBytes(9).toString('base64url')}7a`;
    checkPasswordPolicy(temporary);
    let user: User;
    try {
      user = await this.db
        .insertInto('users')
        .values({
          email: input.email, role, password_hash: await hashPassword(temporary), account_status: 'FORCE_CHANGE_PASSWORD',
          first_name: input.firstName ?? '', last_name: input.lastName ?? '', phone_number: input.phoneNumber ?? '',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('invalid', ['UsernameExistsException'], 'An account with the given email already exists.');
      throw error;
    }
    await this.accounts.invite(user, temporary);
    return user;
  }

  async updateAttributes(role: Role, username: string, attributes: { Name: string; Value: string }[]): Promise<User> {
    const user = await this.find(role, username);
    const changes: Record<string, string | boolean> = {};
    for (const { Name, Value } of attributes) {
      if (Name === 'email') changes.email = Value;
      else if (Name === 'email_verified') changes.email_verified = Value === 'true';
      else if (Name in ATTRIBUTE_COLUMNS) changes[ATTRIBUTE_COLUMNS[Name as keyof typeof ATTRIBUTE_COLUMNS]] = Value;
      else throw new DomainError('invalid', ['InvalidParameterException'], `Attribute does not exist in the schema: ${Name}`);
    }
    try {
      await this.db.updateTable('users').set({ ...changes, updated_at: new Date() }).where('id', '=', user.id).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('invalid', ['AliasExistsException'], 'An account with the given email already exists.');
      throw error;
    }
    return this.find(role, String(user.id));
  }

  async setEnabled(role: Role, username: string, enabled: boolean): Promise<void> {
    const user = await this.find(role, username);
    if (!enabled) await this.#keepOneAdmin(user);
    await this.db.updateTable('users').set({ enabled, updated_at: new Date() }).where('id', '=', user.id).execute();
    if (!enabled) await this.accounts.revokeTokens(user.id);
  }

  async delete(role: Role, username: string): Promise<void> {
    const user = await this.find(role, username);
    await this.#keepOneAdmin(user);
    await this.accounts.deleteAccount(user.id);
  }

  /** Sets a password; permanent (the user signs in with it) or temporary (must change it). */
  async setPassword(role: Role, username: string, password: string, permanent: boolean): Promise<void> {
    const user = await this.find(role, username);
    await this.accounts.setPassword(user.id, password, permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD');
  }

  async resetPassword(role: Role, username: string): Promise<void> {
    await this.accounts.requireReset(await this.find(role, username));
  }

  async #keepOneAdmin(user: User): Promise<void> {
    if (user.role !== 'admin') return;
    const others = await this.db
      .selectFrom('users').select('id')
      .where('role', '=', 'admin').where('enabled', '=', true).where('deleted_at', 'is', null).where('id', '!=', user.id)
      .executeTakeFirst();
    if (!others) throw new DomainError('conflict', ['LastAdminException'], 'The last admin cannot be disabled or removed');
  }
}
