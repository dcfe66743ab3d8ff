import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
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
    return new SignJWT({ role: claims.role, email: claims.email, ver: claims.tokenVersion, token_use: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(claims.userId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.#key);
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const userId = Number(payload.sub);
      const role = payload.role;
      if (payload.token_use !== 'access' || !Number.isInteger(userId) || (role !== 'user' && role !== 'admin')) {
        throw new DomainError('unauthorized', ['unauthorizedError'], 'invalid token');
      }
      return { userId, role, email: String(payload.email ?? ''), tokenVersion: Number(payload.ver ?? 0) };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const message = error instanceof joseErrors.JWTExpired ? 'jwt expired' : 'invalid token';
      throw new DomainError('unauthorized', ['unauthorizedError'], message);
    }
  }

  /** The `Session` of a new-password challenge: short-lived and good for nothing else. */
  issueChallenge(userId: UserId): Promise<string> {
    return new SignJWT({ token_use: 'new_password' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(CHALLENGE_TTL)
      .sign(this.#key);
  }

  async verifyChallenge(session: string): Promise<UserId> {
    try {
      const { payload } = await jwtVerify(session, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      if (payload.token_use !== 'new_password') throw new Error('not a challenge');
      return Number(payload.sub);
    } catch {
      throw new DomainError('invalid', ['NotAuthorizedException'], 'Invalid session for the user.');
    }
  }

  /** A link token that opens one invoice's PDF without signing in (for links and e-mails). */
  issueDownload(invoiceId: number): Promise<string> {
    return new SignJWT({ token_use: 'invoice' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(invoiceId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('7d')
      .sign(this.#key);
  }

  /** Whether `token` is a download token for `invoiceId`. */
  async allowsDownload(token: string, invoiceId: number): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return payload.token_use === 'invoice' && payload.sub === String(invoiceId);
    } catch {
      return false;
    }
  }
}
