import { Type } from '@sinclair/typebox';
import type { AccessTokens, Role } from '../../domain/tokens.ts';
import { authenticate, type User } from '../../domain/users.ts';
import type { App, HttpContext } from '../context.ts';
import { errorResponses } from '../schemas.ts';

/** The original's sign-in answer, which every app and the admin GUI read. */
const SignInResponse = Type.Object(
  {
    accessToken: Type.String(),
    email: Type.String(),
    username: Type.String(),
    name: Type.String(),
    family_name: Type.String(),
    user_id: Type.String(),
  },
  { $id: 'SignInResponse' },
);

const Credentials = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 254, 'x-error-code': 'InvalidParameterException', description: 'E-mail address' }),
    password: Type.String({ minLength: 1, maxLength: 256, 'x-error-code': 'InvalidParameterException' }),
  },
  { 'x-error-code': 'InvalidParameterException' },
);

export async function signInResponse(tokens: AccessTokens, user: User) {
  return {
    accessToken: await tokens.issue({ userId: user.id, role: user.role, email: user.email }),
    email: user.email,
    username: user.email,
    name: user.first_name,
    family_name: user.last_name,
    user_id: String(user.id),
  };
}

/**
 * `POST /auth/sign-in` (any account) and `POST /admin/sign-in` (admins only). Both take
 * JSON or form-urlencoded `{username, password}` and are rate-limited per client address.
 */
export function signInRoutes({ db, tokens, config }: HttpContext) {
  return async (app: App) => {
    app.addSchema(SignInResponse);
    const route = (url: string, role: Role | undefined, tag: string, summary: string) =>
      app.post(url, {
        config: { rateLimit: { max: config.auth.signInRateLimitPerMinute, timeWindow: '1 minute' } },
        schema: { tags: [tag], summary, body: Credentials, response: { 200: Type.Ref(SignInResponse), ...errorResponses(400, 429) } },
      }, async (request) => {
        const user = await authenticate(db, request.body.username, request.body.password, role);
        return signInResponse(tokens, user);
      });
    route('/auth/sign-in', undefined, 'auth', 'Sign in with e-mail and password');
    route('/admin/sign-in', 'admin', 'admin', 'Sign in as an admin');
  };
}
