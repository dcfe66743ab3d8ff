import { Type } from '@sinclair/typebox';
import type { Role } from '../../domain/tokens.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, errorResponses } from '../schemas.ts';
import {
  answerSignIn, maskedDestination, Profile, profileChanges, profileJson, ProfileFields, SignInRefusal, SignInResponse,
} from './accountShapes.ts';

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', 'x-error-code': 'InvalidParameterException', description: 'E-mail address' });
const Password = Type.String({ minLength: 1, maxLength: 256, 'x-error-code': 'InvalidParameterException' });
const Code = Type.String({ minLength: 1, maxLength: 12, 'x-error-code': 'InvalidParameterException' });
const invalid = { 'x-error-code': 'InvalidParameterException' };
const ok = Type.Object({});

/**
 * The end users' account flows (`/auth`) and the admins' sign-in: the request and answer
 * shapes the apps, My Pages and the admin GUI use. Every error is JSON with `message`.
 */
export function authRoutes({ accounts, guards, config }: HttpContext) {
  return async (app: App) => {
    app.addSchema(SignInResponse);
    app.addSchema(SignInRefusal);
    app.addSchema(Profile);
    const limited = { rateLimit: { max: config.auth.signInRateLimitPerMinute, timeWindow: '1 minute' } };
    const SignedIn = { 200: Type.Ref(SignInResponse), 400: Type.Ref(SignInRefusal), ...errorResponses(429) };

    app.post('/auth/sign-up', {
      config: limited,
      schema: { tags: ['auth'], summary: 'Create an account; a 6-digit code is e-mailed', body: Type.Object({ username: Email, password: Password }, invalid), response: { 200: ok, ...errorResponses(400, 429) } },
    }, async (request) => {
      await accounts.signUp(request.body.username, request.body.password);
      return {};
    });

    app.post('/auth/verify', {
      config: limited,
      schema: { tags: ['auth'], summary: 'Confirm the account with the e-mailed code', body: Type.Object({ username: Email, code: Code }, invalid), response: { 200: ok, ...errorResponses(400, 429) } },
    }, async (request) => {
      await accounts.verify(request.body.username, request.body.code);
      return {};
    });

    const signInRoute = (url: string, role: Role | undefined, tag: string, summary: string) =>
      app.post(url, {
        config: limited,
        schema: { tags: [tag], summary, body: Type.Object({ username: Password, password: Password }, invalid), response: SignedIn },
      }, (request, reply) => answerSignIn(reply, () => accounts.signIn(request.body.username, request.body.password, role)));
    signInRoute('/auth/sign-in', undefined, 'auth', 'Sign in (JSON or form); a temporary password answers 400 with a Session');
    signInRoute('/admin/sign-in', 'admin', 'admin', 'Sign in as an admin');

    const newPasswordRoute = (url: string, role: Role | undefined, tag: string) =>
      app.post(url, {
        config: limited,
        schema: {
          tags: [tag], summary: 'Answer the new-password challenge with the Session from sign-in',
          body: Type.Object({ username: Password, password: Password, session: Type.String({ minLength: 1, maxLength: 2048, ...invalid }) }, invalid),
          response: SignedIn,
        },
      }, (request, reply) => answerSignIn(reply, () => accounts.completeNewPassword(request.body.username, request.body.password, request.body.session, role)));
    newPasswordRoute('/auth/force-change-password', undefined, 'auth');
    newPasswordRoute('/admin/force-change-password', 'admin', 'admin');

    app.post('/auth/refresh', {
      config: limited,
      schema: { tags: ['auth'], summary: 'New tokens for a refresh token (which is used up)', body: Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200, ...invalid }) }, invalid), response: SignedIn },
    }, (request, reply) => answerSignIn(reply, () => accounts.refresh(request.body.refreshToken)));

    app.post('/auth/forgot-password/:username', {
      config: limited,
      schema: {
        tags: ['auth'], summary: 'E-mail a password reset code (the answer is the same whether the account exists)',
        params: Type.Object({ username: Email }),
        response: { 200: Type.Object({ data: Type.Object({ CodeDeliveryDetails: Type.Object({ Destination: Type.String(), DeliveryMedium: Type.String(), AttributeName: Type.String() }) }), statusCode: Type.Integer() }), ...errorResponses(400, 429) },
      },
    }, async (request) => {
      await accounts.forgotPassword(request.params.username);
      return { data: { CodeDeliveryDetails: { Destination: maskedDestination(request.params.username), DeliveryMedium: 'EMAIL', AttributeName: 'email' } }, statusCode: 200 };
    });

    app.post('/auth/confirm-forgot-password', {
      config: limited,
      schema: {
        tags: ['auth'], summary: 'Set a new password with the e-mailed code',
        body: Type.Object({ username: Email, password: Password, confirmationCode: Code }, invalid),
        response: { 200: Type.Object({ data: Type.Object({}), statusCode: Type.Integer() }), ...errorResponses(400, 429) },
      },
    }, async (request) => {
      await accounts.confirmForgotPassword(request.body.username, request.body.confirmationCode, request.body.password);
      return { data: {}, statusCode: 200 };
    });

    app.post('/auth/change-password', {
      config: limited,
      schema: {
        tags: ['auth'], summary: 'Change the password (the access token in the body, as My Pages sends it, or as Bearer)',
        body: Type.Object({ accessToken: Type.Optional(Type.String({ maxLength: 4096 })), previousPassword: Password, newPassword: Password }, invalid),
        response: { 200: ok, ...errorResponses(400, 401, 429) },
      },
    }, async (request) => {
      if (request.body.accessToken) request.headers.authorization = `Bearer ${request.body.accessToken}`;
      await guards.user(request);
      await accounts.changePassword(request.auth!.userId, request.body.previousPassword, request.body.newPassword);
      return {};
    });

    app.get('/auth/user-information', {
      onRequest: guards.user,
      schema: { tags: ['auth'], summary: 'Your profile', security: bearer, response: { 200: Type.Ref(Profile), ...errorResponses(401) } },
    }, async (request) => profileJson(await accounts.profile(request.auth!.userId)));

    app.put('/auth/user-information', {
      onRequest: guards.user,
      schema: {
        tags: ['auth'], summary: 'Change your profile; answers the new profile', security: bearer,
        body: Type.Partial(Type.Object(ProfileFields), invalid), response: { 200: Type.Ref(Profile), ...errorResponses(400, 401) },
      },
    }, async (request) => profileJson(await accounts.updateProfile(request.auth!.userId, profileChanges(request.body))));

    for (const method of ['POST', 'DELETE'] as const) {
      app.route({
        method,
        url: '/auth/delete-user',
        onRequest: guards.user,
        schema: { tags: ['auth'], summary: 'Delete your account (charging sessions and invoices are kept without your personal data)', security: bearer, response: { 200: ok, ...errorResponses(401) } },
        handler: async (request) => {
          await accounts.deleteAccount(request.auth!.userId);
          return {};
        },
      });
    }
  };
}
