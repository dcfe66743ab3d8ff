import { Type } from '@sinclair/typebox';
import type { Role } from '../../domain/tokens.ts';
import type { App, HttpContext } from '../context.ts';
import { EXAMPLE_ADMIN_EMAIL, EXAMPLE_ADMIN_SIGN_IN, EXAMPLE_SIGN_IN, EXAMPLE_USER_EMAIL } from '../examples.ts';
import { json, operation, TAG, type Tag } from '../openapi.ts';
import {
  answerSignIn, maskedDestination, Profile, profileChanges, profileJson, ProfileFields, SignInRefusal, SignInResponse,
} from './accountShapes.ts';

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', 'x-error-code': 'InvalidParameterException', description: 'E-mail address' });
const Password = Type.String({ minLength: 1, maxLength: 256, 'x-error-code': 'InvalidParameterException' });
const Code = Type.String({ minLength: 1, maxLength: 12, 'x-error-code': 'InvalidParameterException' });
const invalid = { 'x-error-code': 'InvalidParameterException' };
const ok = Type.Object({});

const exampleSignedIn = {
  accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIiwicm9sZSI6InVzZXIiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl',
  email: EXAMPLE_USER_EMAIL,
  username: EXAMPLE_USER_EMAIL,
  name: 'Alex',
  family_name: 'Lind',
  user_id: '2',
  refreshToken: 'dGhpcyBpcyBhIHJlZnJlc2ggdG9rZW4gZXhhbXBsZQ',
  expiresIn: 3600,
};
const exampleProfile = {
  username: EXAMPLE_USER_EMAIL, firstName: 'Alex', lastName: 'Lind', phoneNumber: '+46701234567',
  streetAddress: 'Gjuterigatan 5', zipCode: '553 18', city: 'Jönköping', country: 'Sweden',
};
const badPassword = '`InvalidPasswordException`: at least 8 characters with a letter and a digit';
const tooMany = 'More than SIGN_IN_RATE_LIMIT requests from this address in a minute';
const signedOut = 'No valid access token (also when the account no longer exists)';

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
    const SignedIn = {
      200: json('Signed in: the access token (send it as `Authorization: Bearer`), a refresh token and the account', Type.Ref(SignInResponse), exampleSignedIn),
      400: json(
        'Refused: `NotAuthorizedException` (wrong username or password, or a disabled account), `UserNotConfirmedException`, '
          + '`PasswordResetRequiredException`, `InvalidParameterException`; or the new-password challenge (`ChallengeName` '
          + '`NEW_PASSWORD_REQUIRED` with a `Session` for force-change-password) for an account with a temporary password',
        Type.Ref(SignInRefusal),
        { status: 400, code: 'NotAuthorizedException', message: 'Incorrect username or password.', errorCodes: ['NotAuthorizedException'] },
      ),
    };

    app.post('/auth/sign-up', {
      config: limited,
      schema: operation({
        id: 'signUp', tag: TAG.auth, access: 'public', summary: 'Create an account; a 6-digit code is e-mailed',
        description: 'Registers a user and e-mails a verification code for `POST /auth/verify`. The answer is the same when the '
          + 'address has an account already (its owner gets a notice), so sign-up does not tell who has an account.',
        errors: { 400: `Invalid e-mail address (\`InvalidParameterException\`) or ${badPassword}`, 429: tooMany },
      }, {
        body: Type.Object({ username: Email, password: Password }, { ...invalid, examples: [EXAMPLE_SIGN_IN] }),
        response: { 200: json('Signed up; the code is on its way', ok, {}) },
      }),
    }, async (request) => {
      await accounts.signUp(request.body.username, request.body.password);
      return {};
    });

    app.post('/auth/verify', {
      config: limited,
      schema: operation({
        id: 'verifyAccount', tag: TAG.auth, access: 'public', summary: 'Confirm an account with the e-mailed code',
        description: 'Confirms the account with the code from sign-up; then it can sign in.',
        errors: { 400: '`CodeMismatchException` (wrong code), `ExpiredCodeException`, or `InvalidParameterException`', 429: tooMany },
      }, {
        body: Type.Object({ username: Email, code: Code }, { ...invalid, examples: [{ username: EXAMPLE_USER_EMAIL, code: '123456' }] }),
        response: { 200: json('Confirmed', ok, {}) },
      }),
    }, async (request) => {
      await accounts.verify(request.body.username, request.body.code);
      return {};
    });

    const signInRoute = (url: string, role: Role | undefined, id: string, tag: Tag, summary: string, description: string, example: typeof EXAMPLE_SIGN_IN) =>
      app.post(url, {
        config: limited,
        schema: operation({ id, tag, access: 'public', summary, description, errors: { 429: tooMany } }, {
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          body: Type.Object({ username: { ...Password, description: 'E-mail address' }, password: Password }, { ...invalid, examples: [example] }),
          response: SignedIn,
        }),
      }, (request, reply) => answerSignIn(reply, () => accounts.signIn(request.body.username, request.body.password, role)));
    signInRoute('/auth/sign-in', undefined, 'signIn', TAG.auth, 'Sign in',
      'Signs a user (or admin) in with e-mail address and password, as JSON or form. An account with a temporary password '
        + 'is answered 400 with `ChallengeName: "NEW_PASSWORD_REQUIRED"` and a `Session` for `POST /auth/force-change-password`.',
      EXAMPLE_SIGN_IN);
    signInRoute('/admin/sign-in', 'admin', 'adminSignIn', TAG.admin, 'Sign in as an admin',
      'The sign-in of the admin GUI: as `POST /auth/sign-in`, for admin accounts only (a user\'s credentials are refused as wrong). '
        + 'A fresh server\'s first admin is ADMIN_EMAIL (default `admin@flexicharge.local`) with ADMIN_PASSWORD or the password printed at the first start; '
        + 'a temporary password answers 400 with a `Session` for `POST /admin/force-change-password`.',
      EXAMPLE_ADMIN_SIGN_IN);

    const newPasswordRoute = (url: string, role: Role | undefined, id: string, tag: Tag) =>
      app.post(url, {
        config: limited,
        schema: operation({
          id, tag, access: 'public', summary: 'Answer the new-password challenge with the Session from sign-in',
          description: 'Sets the new password of an account that signed in with a temporary password, using the `Session` '
            + 'that sign-in answered, and signs in.',
          errors: { 429: tooMany },
        }, {
          body: Type.Object(
            { username: Password, password: Password, session: Type.String({ minLength: 1, maxLength: 2048, ...invalid, description: 'The `Session` of the sign-in answer' }) },
            { ...invalid, examples: [{ username: role === 'admin' ? EXAMPLE_ADMIN_EMAIL : EXAMPLE_USER_EMAIL, password: 'new-password-2', session: 'eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbg.c2lnbmF0dXJl' }] },
          ),
          response: SignedIn,
        }),
      }, (request, reply) => answerSignIn(reply, () => accounts.completeNewPassword(request.body.username, request.body.password, request.body.session, role)));
    newPasswordRoute('/auth/force-change-password', undefined, 'completeNewPassword', TAG.auth);
    newPasswordRoute('/admin/force-change-password', 'admin', 'adminCompleteNewPassword', TAG.admin);

    app.post('/auth/refresh', {
      config: limited,
      schema: operation({
        id: 'refreshTokens', tag: TAG.auth, access: 'public', summary: 'New tokens for a refresh token',
        description: 'Trades a refresh token of a sign-in for a new access token and a new refresh token; the old refresh token is used up.',
        errors: { 429: tooMany },
      }, {
        body: Type.Object(
          { refreshToken: Type.String({ minLength: 1, maxLength: 200, ...invalid }) },
          { ...invalid, examples: [{ refreshToken: exampleSignedIn.refreshToken }] },
        ),
        response: SignedIn,
      }),
    }, (request, reply) => answerSignIn(reply, () => accounts.refresh(request.body.refreshToken)));

    app.post('/auth/forgot-password/:username', {
      config: limited,
      schema: operation({
        id: 'forgotPassword', tag: TAG.auth, access: 'public', summary: 'E-mail a password reset code',
        description: 'E-mails a code for `POST /auth/confirm-forgot-password`. The answer is the same whether the account exists.',
        errors: { 400: 'Invalid e-mail address (`InvalidParameterException`)', 429: tooMany },
      }, {
        params: Type.Object({ username: { ...Email, examples: [EXAMPLE_USER_EMAIL] } }),
        response: {
          200: json(
            'The code is on its way (if the account exists)',
            Type.Object({ data: Type.Object({ CodeDeliveryDetails: Type.Object({ Destination: Type.String(), DeliveryMedium: Type.String(), AttributeName: Type.String() }) }), statusCode: Type.Integer() }),
            { data: { CodeDeliveryDetails: { Destination: 'd***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' } }, statusCode: 200 },
          ),
        },
      }),
    }, async (request) => {
      await accounts.forgotPassword(request.params.username);
      return { data: { CodeDeliveryDetails: { Destination: maskedDestination(request.params.username), DeliveryMedium: 'EMAIL', AttributeName: 'email' } }, statusCode: 200 };
    });

    app.post('/auth/confirm-forgot-password', {
      config: limited,
      schema: operation({
        id: 'confirmForgotPassword', tag: TAG.auth, access: 'public', summary: 'Set a new password with the e-mailed code',
        description: 'Sets a new password with the code from `POST /auth/forgot-password/{username}`; every token of the account stops working.',
        errors: { 400: `\`CodeMismatchException\`, \`ExpiredCodeException\`, or ${badPassword}`, 429: tooMany },
      }, {
        body: Type.Object(
          { username: Email, password: Password, confirmationCode: Code },
          { ...invalid, examples: [{ username: EXAMPLE_USER_EMAIL, password: 'new-password-2', confirmationCode: '123456' }] },
        ),
        response: { 200: json('The password is set', Type.Object({ data: Type.Object({}), statusCode: Type.Integer() }), { data: {}, statusCode: 200 }) },
      }),
    }, async (request) => {
      await accounts.confirmForgotPassword(request.body.username, request.body.confirmationCode, request.body.password);
      return { data: {}, statusCode: 200 };
    });

    app.post('/auth/change-password', {
      config: limited,
      schema: operation({
        id: 'changePassword', tag: TAG.auth, access: 'user', summary: 'Change your password',
        description: 'Changes the password of the signed-in account; every token of the account stops working (sign in again).',
        who: 'Signed-in users and admins: the access token in the body (`accessToken`, as My Pages sends it) or as `Authorization: Bearer`.',
        security: [{ bearerAuth: [] }, {}],
        errors: { 400: `\`NotAuthorizedException\` (wrong previous password) or ${badPassword}`, 429: tooMany },
      }, {
        body: Type.Object(
          { accessToken: Type.Optional(Type.String({ maxLength: 4096, description: 'Instead of the Authorization header' })), previousPassword: Password, newPassword: Password },
          { ...invalid, examples: [{ previousPassword: 'driver-password-1', newPassword: 'new-password-2' }] },
        ),
        response: { 200: json('Changed', ok, {}) },
      }),
    }, async (request) => {
      if (request.body.accessToken) request.headers.authorization = `Bearer ${request.body.accessToken}`;
      await guards.user(request);
      await accounts.changePassword(request.auth!.userId, request.body.previousPassword, request.body.newPassword);
      return {};
    });

    app.get('/auth/user-information', {
      onRequest: guards.user,
      schema: operation({
        id: 'getUserInformation', tag: TAG.auth, access: 'user', summary: 'Your profile',
        description: 'The signed-in account\'s profile: name, phone number and postal address.',
        errors: { 401: signedOut },
      }, {
        response: { 200: json('Your profile', Type.Ref(Profile), exampleProfile) },
      }),
    }, async (request) => profileJson(await accounts.profile(request.auth!.userId)));

    app.put('/auth/user-information', {
      onRequest: guards.user,
      schema: operation({
        id: 'updateUserInformation', tag: TAG.auth, access: 'user', summary: 'Change your profile',
        description: 'Changes the fields sent and answers the whole profile.',
        errors: { 400: 'A field too long or not a string (`InvalidParameterException`)', 401: signedOut },
      }, {
        body: Type.Partial(Type.Object(ProfileFields), { ...invalid, examples: [{ phoneNumber: '+46701234567', city: 'Jönköping' }] }),
        response: { 200: json('Your profile, changed', Type.Ref(Profile), exampleProfile) },
      }),
    }, async (request) => profileJson(await accounts.updateProfile(request.auth!.userId, profileChanges(request.body))));

    for (const method of ['POST', 'DELETE'] as const) {
      app.route({
        method,
        url: '/auth/delete-user',
        onRequest: guards.user,
        schema: operation({
          id: method === 'DELETE' ? 'deleteAccount' : 'deleteAccountByPost', tag: TAG.auth, access: 'user', summary: 'Delete your account',
          description: 'Removes the signed-in account\'s personal data and access; its charging sessions and invoices are kept '
            + `without them.${method === 'POST' ? ' The same as `DELETE /auth/delete-user`, for clients that cannot send DELETE.' : ''}`,
        }, {
          response: { 200: json('Deleted', ok, {}) },
        }),
        handler: async (request) => {
          await accounts.deleteAccount(request.auth!.userId);
          return {};
        },
      });
    }
  };
}
