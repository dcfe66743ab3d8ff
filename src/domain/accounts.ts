import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { UserRow } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import type { Mailer } from './mail.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { AccessTokens, Role } from './tokens.ts';
import { findUserByEmail } from './users.ts';
import type { UserId } from './units.ts';

/**
 * The account flows the apps and the admin GUI use, in the shape of the identity service
 * they were written against (Cognito error names, challenge with a Session).
 */

export type User = UserRow;

const MAX_CODE_ATTEMPTS = 5;

const fail = (code: string, message: string) => new DomainError('invalid', [code], message);
const badCredentials = () => fail('NotAuthorizedException', 'Incorrect username or password.');
const codeMismatch = () => fail('CodeMismatchException', 'Invalid verification code provided, please try again.');

/** At least 8 characters with a letter and a digit (at most 256). */
export function checkPasswordPolicy(password: string): void {
  const problem = password.length < 8 ? 'Password not long enough'
    : password.length > 256 ? 'Password too long'
    : !/[A-Za-z]/.test(password) ? 'Password must have a letter'
    : !/\d/.test(password) ? 'Password must have a number'
    : undefined;
  if (problem) throw fail('InvalidPasswordException', `Password did not conform with policy: ${problem}`);
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** The shape the apps read after a sign-in, plus a refresh token. */
export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

/** The new-password challenge for accounts with a temporary password. */
export class NewPasswordRequired extends DomainError {
  constructor(readonly session: string, readonly user: User) {
    super('invalid', ['NEW_PASSWORD_REQUIRED'], 'A new password is required');
  }
}

export interface AccountSettings {
  refreshTokenTtlSeconds: number;
  codeTtlSeconds: number;
}

export class Accounts {
  constructor(
    private readonly db: Db,
    private readonly tokens: AccessTokens,
    private readonly mailer: Mailer,
    private readonly settings: AccountSettings,
  ) {}

  // ---- sign-up and verification ----------------------------------------------------------

  /**
   * Registers an account and e-mails a 6-digit code. An address that has an account
   * already gets a notice instead, and the answer is the same, so sign-up does not tell
   * who has an account.
   */
  async signUp(email: string, password: string): Promise<void> {
    checkPasswordPolicy(password);
    const existing = await findUserByEmail(this.db, email);
    if (existing) {
      if (existing.account_status === 'UNCONFIRMED') return this.#sendCode(existing, 'verify');
      return this.mailer.send({ to: existing.email, subject: 'Your FlexiCharge account', text: 'Someone tried to sign up with this address, which already has a FlexiCharge account. If it was you, sign in or reset your password.' });
    }
    let user: User;
    try {
      user = await this.db
        .insertInto('users')
        .values({ email, role: 'user', password_hash: await hashPassword(password), account_status: 'UNCONFIRMED', email_verified: false })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      // Two sign-ups with one address at once: the second is the first's duplicate.
      if (isUniqueViolation(error)) return;
      throw error;
    }
    await this.#sendCode(user, 'verify');
  }

  async verify(email: string, code: string): Promise<void> {
    const user = await findUserByEmail(this.db, email);
    if (!user) throw codeMismatch();
    if (user.account_status !== 'UNCONFIRMED') return;
    await this.#useCode(user, 'verify', code);
    await this.db.updateTable('users').set({ account_status: 'CONFIRMED', email_verified: true, updated_at: new Date() }).where('id', '=', user.id).execute();
  }

  // ---- sign-in and tokens ----------------------------------------------------------------

  async signIn(email: string, password: string, requiredRole?: Role): Promise<SignedIn> {
    const user = await findUserByEmail(this.db, email);
    const passwordOk = await verifyPassword(user?.password_hash, password);
    if (!user || !passwordOk || (requiredRole && user.role !== requiredRole)) throw badCredentials();
    if (!user.enabled) throw fail('NotAuthorizedException', 'User is disabled.');
    if (user.account_status === 'UNCONFIRMED') throw fail('UserNotConfirmedException', 'User is not confirmed.');
    if (user.account_status === 'RESET_REQUIRED') throw fail('PasswordResetRequiredException', 'Password reset required for the user');
    if (user.account_status === 'FORCE_CHANGE_PASSWORD') throw new NewPasswordRequired(await this.tokens.issueChallenge(user.id), user);
    return this.#signedIn(user);
  }

  /** Answers the new-password challenge: sets the password and signs in. */
  async completeNewPassword(email: string, password: string, session: string, requiredRole?: Role): Promise<SignedIn> {
    const userId = await this.tokens.verifyChallenge(session);
    const user = await findUserByEmail(this.db, email);
    if (!user || user.id !== userId || user.account_status !== 'FORCE_CHANGE_PASSWORD' || (requiredRole && user.role !== requiredRole)) {
      throw fail('NotAuthorizedException', 'Invalid session for the user.');
    }
    checkPasswordPolicy(password);
    await this.#setPassword(user.id, password, { account_status: 'CONFIRMED', email_verified: true });
    return this.#signedIn((await findUserByEmail(this.db, email))!);
  }

  /** Trades a refresh token for new tokens; the old one is used up (rotation). */
  async refresh(refreshToken: string): Promise<SignedIn> {
    const row = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: new Date() })
      .where('token_hash', '=', sha256(refreshToken).toString('base64url'))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning('user_id')
      .executeTakeFirst();
    const user = row && (await this.#activeUser(row.user_id));
    if (!user) throw fail('NotAuthorizedException', 'Invalid Refresh Token');
    return this.#signedIn(user);
  }

  /** Whether an access token's user may still act: exists, enabled, and no revocation since. */
  async isActive(userId: UserId, tokenVersion: number): Promise<boolean> {
    const user = await this.#activeUser(userId);
    return user !== undefined && user.token_version === tokenVersion;
  }

  /** The token versions of those of `userIds` whose tokens may still act (exist, enabled): one query for many. */
  async activeTokenVersions(userIds: readonly UserId[]): Promise<Map<UserId, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('users').select(['id', 'token_version']).where('id', 'in', userIds).where('deleted_at', 'is', null).where('enabled', '=', true).execute();
    return new Map(rows.map((row) => [row.id, row.token_version]));
  }

  // ---- passwords -------------------------------------------------------------------------

  /** Sends a reset code when the account exists; answers the same either way. */
  async forgotPassword(email: string): Promise<void> {
    const user = await findUserByEmail(this.db, email);
    if (user?.enabled) await this.#sendCode(user, 'reset');
  }

  async confirmForgotPassword(email: string, code: string, password: string): Promise<void> {
    const user = await findUserByEmail(this.db, email);
    if (!user || !user.enabled) throw codeMismatch();
    checkPasswordPolicy(password);
    await this.#useCode(user, 'reset', code);
    await this.#setPassword(user.id, password, { account_status: 'CONFIRMED', email_verified: true });
  }

  async changePassword(userId: UserId, previousPassword: string, newPassword: string): Promise<void> {
    const user = await this.#activeUser(userId);
    if (!user || !(await verifyPassword(user.password_hash, previousPassword))) throw badCredentials();
    checkPasswordPolicy(newPassword);
    await this.#setPassword(user.id, newPassword, {});
  }

  // ---- profile and deletion --------------------------------------------------------------

  async profile(userId: UserId): Promise<User> {
    const user = await this.#activeUser(userId);
    if (!user) throw new DomainError('unauthorized', ['unauthorizedError'], 'The account no longer exists');
    return user;
  }

  async updateProfile(userId: UserId, changes: Partial<Pick<User, 'first_name' | 'last_name' | 'phone_number' | 'street_address' | 'zip_code' | 'city' | 'country'>>): Promise<User> {
    await this.db.updateTable('users').set({ ...changes, updated_at: new Date() }).where('id', '=', userId).where('deleted_at', 'is', null).execute();
    return this.profile(userId);
  }

  /**
   * Removes an account's personal data and its access; its charging sessions and
   * invoices stay (they are records the business must keep), no longer tied to a person.
   */
  async deleteAccount(userId: UserId): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set((eb) => ({
          email: `deleted-${userId}@deleted.invalid`,
          password_hash: randomBytes(32).toString('base64url'),
          first_name: '', last_name: '', phone_number: '', street_address: '', zip_code: '', city: '', country: '',
          enabled: false,
          deleted_at: new Date(),
          token_version: eb('token_version', '+', 1),
          updated_at: new Date(),
        }))
        .where('id', '=', userId)
        .execute();
      await trx.updateTable('id_tags').set({ user_id: null }).where('user_id', '=', userId).execute();
      await trx.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    });
  }

  // ---- used by the admin flows -----------------------------------------------------------

  /** Ends every token of a user at once (password change, disable, delete). */
  async revokeTokens(userId: UserId): Promise<void> {
    await this.db.updateTable('users').set((eb) => ({ token_version: eb('token_version', '+', 1) })).where('id', '=', userId).execute();
    await this.db.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  async setPassword(userId: UserId, password: string, status: 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD'): Promise<void> {
    checkPasswordPolicy(password);
    await this.#setPassword(userId, password, { account_status: status });
  }

  /** An admin's reset: the user must choose a new password with an e-mailed code. */
  async requireReset(user: User): Promise<void> {
    await this.db.updateTable('users').set({ account_status: 'RESET_REQUIRED', updated_at: new Date() }).where('id', '=', user.id).execute();
    await this.revokeTokens(user.id);
    await this.#sendCode(user, 'reset');
  }

  /** The e-mail an account created by an admin gets. */
  async invite(user: User, temporaryPassword: string): Promise<void> {
    await this.mailer.send({
      to: user.email,
      subject: 'Your FlexiCharge account',
      text: `An account was created for you.\n\nUser name: ${user.email}\nTemporary password: ${temporaryPassword}\n\nSign in with it to choose your own password.`,
    });
  }

  // ---- internals -------------------------------------------------------------------------

  async #activeUser(userId: UserId): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', userId).where('deleted_at', 'is', null).where('enabled', '=', true).executeTakeFirst();
  }

  async #signedIn(user: User): Promise<SignedIn> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('refresh_tokens')
      .values({ user_id: user.id, token_hash: sha256(refreshToken).toString('base64url'), expires_at: new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000) })
      .execute();
    return {
      accessToken: await this.tokens.issue({ userId: user.id, role: user.role, email: user.email, tokenVersion: user.token_version }),
      refreshToken,
      expiresIn: this.tokens.ttlSeconds,
      user,
    };
  }

  async #setPassword(userId: UserId, password: string, extra: Partial<Pick<User, 'account_status' | 'email_verified'>>): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: await hashPassword(password), ...extra, updated_at: new Date() }).where('id', '=', userId).execute();
    await this.revokeTokens(userId);
  }

  async #sendCode(user: User, purpose: 'verify' | 'reset'): Promise<void> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db.deleteFrom('account_codes').where('user_id', '=', user.id).where('purpose', '=', purpose).execute();
    await this.db
      .insertInto('account_codes')
      .values({ user_id: user.id, purpose, code_hash: sha256(`${user.id}:${code}`).toString('base64url'), expires_at: new Date(Date.now() + this.settings.codeTtlSeconds * 1000) })
      .execute();
    const minutes = Math.round(this.settings.codeTtlSeconds / 60);
    await this.mailer.send(purpose === 'verify'
      ? { to: user.email, subject: 'Your FlexiCharge verification code', text: `Your verification code is ${code}\n\nIt is valid for ${minutes} minutes.` }
      : { to: user.email, subject: 'Your FlexiCharge password reset code', text: `Your password reset code is ${code}\n\nIt is valid for ${minutes} minutes. If you did not ask for it, ignore this message.` });
  }

  /** Checks a code in constant time; a code is spent by use, by expiry or after 5 wrong tries. */
  async #useCode(user: User, purpose: 'verify' | 'reset', code: string): Promise<void> {
    const row = await this.db.selectFrom('account_codes').selectAll().where('user_id', '=', user.id).where('purpose', '=', purpose).orderBy('id', 'desc').executeTakeFirst();
    if (!row) throw codeMismatch();
    if (row.expires_at <= new Date()) throw fail('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    if (row.attempts >= MAX_CODE_ATTEMPTS) throw fail('LimitExceededException', 'Attempt limit exceeded, please request a code again.');
    const expected = Buffer.from(row.code_hash, 'base64url');
    const given = sha256(`${user.id}:${code}`);
    if (!timingSafeEqual(expected, given)) {
      await this.db.updateTable('account_codes').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', row.id).execute();
      throw codeMismatch();
    }
    await this.db.deleteFrom('account_codes').where('id', '=', row.id).execute();
  }
}
