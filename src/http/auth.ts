import type { FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import type { AccessClaims, AccessTokens } from '../domain/tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the user/admin guards once the Bearer token checked out. */
    auth?: AccessClaims;
  }
}

const unauthorized = (message: string) => new DomainError('unauthorized', ['unauthorizedError'], message);

export interface Guards {
  /** Requires a valid access token of any role. */
  user(request: FastifyRequest): Promise<void>;
  /** Requires a valid access token with the admin role. */
  admin(request: FastifyRequest): Promise<void>;
}

/**
 * Route guards for `Authorization: Bearer <token>`. Routes without a guard never look
 * at the header, so a stale token on a public read does no harm (the admin GUI sends
 * one on every request and logs out on any 401).
 */
export function createGuards(tokens: AccessTokens, isActive: (claims: AccessClaims) => Promise<boolean>): Guards {
  async function user(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw unauthorized('No authorization token was found');
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw unauthorized('Format is Authorization: Bearer [token]');
    const claims = await tokens.verify(token);
    // A disabled or deleted account, or one whose password changed, loses its tokens at once.
    if (!(await isActive(claims))) throw unauthorized('The token has been revoked');
    request.auth = claims;
  }
  async function admin(request: FastifyRequest): Promise<void> {
    await user(request);
    if (request.auth?.role !== 'admin') throw new DomainError('forbidden', ['forbiddenError'], 'Insufficient scope');
  }
  return { user, admin };
}
