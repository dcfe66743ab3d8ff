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
}

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

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.#key = new TextEncoder().encode(secret);
  }

  issue(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, email: claims.email, token_use: 'access' })
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
      return { userId, role, email: String(payload.email ?? '') };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const message = error instanceof joseErrors.JWTExpired ? 'jwt expired' : 'invalid token';
      throw new DomainError('unauthorized', ['unauthorizedError'], message);
    }
  }
}
