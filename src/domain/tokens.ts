import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Db } from '../db/connection.ts';
import { DomainError } from './errors.ts';
import type { UserId } from './units.ts';

export type Role = 'user' | 'admin';

export interface AccessClaims {
  userId: UserId;
  role: Role;
  email: string;
  /** The user's token version when issued; a password change, disable or delete bumps it. */
  tokenVersion: number;
  /** When the token stops working (epoch ms); set on verified tokens. */
  expiresAt?: number;
}

const CHALLENGE_TTL = '15m';

const ISSUER = 'flexicharge';
const AUDIENCE = 'flexicharge-api';
const SECRET_SETTING = 'access_token_secret';

/** The configured key, or the one generated on the first start and kept in the database. */
export async function resolveTokenSecret(db: Db, configured: string): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('server_settings')
    .values({ key: SECRET_SETTING, value: randomBytes(48).toString('base64url') })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('server_settings').select('value').where('key', '=', SECRET_SETTING).executeTakeFirstOrThrow();
  return row.value;
}

/** Issues and checks the access tokens (HS256 JWTs) that apps send as `Authorization: Bearer`. */
export class AccessTokens {
  readonly #key: Uint8Array;

  constructor(secret: string, readonly ttlSeconds: number) {
    this.#key = new TextEncoder().encode(secret);
  }

  issue(claims: AccessClaims): Promise<string> {
    return this.#sign({ role: claims.role, email: claims.email, ver: claims.tokenVersion, token_use: 'access' }, claims.userId, `${this.ttlSeconds}s`);
  }

  /** Our JWTs: HS256, issuer and audience fixed, `token_use` telling what each is for. */
  #sign(claims: JWTPayload, subject: number, expiresIn: string): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(subject))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.#key);
  }

  /** The payload of one of our JWTs of the given use, or undefined when it is not one. */
  async #payload(token: string, use: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return payload.token_use === use ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const userId = Number(payload.sub);
      const role = payload.role;
      if (payload.token_use !== 'access' || !Number.isInteger(userId) || (role !== 'user' && role !== 'admin')) {
        throw new DomainError('unauthorized', ['unauthorizedError'], 'invalid token');
      }
      return { userId, role, email: String(payload.email ?? ''), tokenVersion: Number(payload.ver ?? 0), ...(payload.exp === undefined ? {} : { expiresAt: payload.exp * 1000 }) };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const message = error instanceof joseErrors.JWTExpired ? 'jwt expired' : 'invalid token';
      throw new DomainError('unauthorized', ['unauthorizedError'], message);
    }
  }

  /** The `Session` of a new-password challenge: short-lived and good for nothing else. */
  issueChallenge(userId: UserId): Promise<string> {
    return this.#sign({ token_use: 'new_password' }, userId, CHALLENGE_TTL);
  }

  async verifyChallenge(session: string): Promise<UserId> {
    const payload = await this.#payload(session, 'new_password');
    if (!payload) throw new DomainError('invalid', ['NotAuthorizedException'], 'Invalid session for the user.');
    return Number(payload.sub);
  }

  /** A link token that opens one invoice's PDF without signing in (for links and e-mails). */
  issueDownload(invoiceId: number): Promise<string> {
    return this.#sign({ token_use: 'invoice' }, invoiceId, '7d');
  }

  /** Whether `token` is a download token for `invoiceId`. */
  async allowsDownload(token: string, invoiceId: number): Promise<boolean> {
    return (await this.#payload(token, 'invoice'))?.sub === String(invoiceId);
  }
}
