import { Type } from '@sinclair/typebox';
import type { User } from '../../domain/accounts.ts';
import { notFound } from '../../domain/errors.ts';
import { createIdTag, deleteIdTag, listIdTags } from '../../domain/idTagAdmin.ts';
import type { Role } from '../../domain/tokens.ts';
import { attributesOf } from '../../domain/userAdmin.ts';
import type { App, HttpContext } from '../context.ts';
import { EXAMPLE_ADMIN_EMAIL, EXAMPLE_USER_EMAIL } from '../examples.ts';
import { json, noContent, operation, TAG } from '../openapi.ts';
import { profileJson } from './accountShapes.ts';

/** An account in the identity service's list/get shape, which the admin GUI reads. */
function cognitoUser(user: User) {
  return {
    Username: user.email,
    Attributes: attributesOf(user),
    UserCreateDate: user.created_at.toISOString(),
    UserLastModifiedDate: user.updated_at.toISOString(),
    Enabled: user.enabled,
    UserStatus: user.account_status,
  };
}

/** AdminGetUser's shape (attributes under `UserAttributes`). */
function cognitoUserDetail(user: User) {
  const { Attributes, ...rest } = cognitoUser(user);
  return { ...rest, UserAttributes: Attributes };
}

/** The reshaped user of GET /admin/users/:username: the profile plus its id. */
const reshapedUser = (user: User) => ({ userId: String(user.id), ...profileJson(user) });

const Attribute = Type.Object({ Name: Type.String(), Value: Type.String() });
const CognitoUser = Type.Object({
  Username: Type.String(), Attributes: Type.Array(Attribute), UserCreateDate: Type.String(), UserLastModifiedDate: Type.String(),
  Enabled: Type.Boolean(), UserStatus: Type.String(),
});
const CognitoUserDetail = Type.Object({
  Username: Type.String(), UserAttributes: Type.Array(Attribute), UserCreateDate: Type.String(), UserLastModifiedDate: Type.String(),
  Enabled: Type.Boolean(), UserStatus: Type.String(),
});
const invalid = { 'x-error-code': 'InvalidParameterException' };
const Username = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 254, ...invalid, description: 'The account\'s e-mail address or numeric id' }),
});
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, ...invalid, description: 'Page size, default 60' })),
  pagination_token: Type.Optional(Type.String({ maxLength: 200, ...invalid, description: 'NextToken of the previous page' })),
});
const NewAccount = Type.Object({
  username: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', ...invalid, description: 'E-mail address' }),
  password: Type.Optional(Type.String({ maxLength: 256, ...invalid, description: 'Temporary password; generated when left out' })),
  email: Type.Optional(Type.String({ maxLength: 254, description: 'Ignored: the e-mail address is `username`' })),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  family_name: Type.Optional(Type.String({ maxLength: 100 })),
  phoneNumber: Type.Optional(Type.String({ maxLength: 40 })),
}, invalid);
const ok = Type.Object({});

/** An account in the identity service's shape, for the examples. */
function exampleAccount(role: Role) {
  const [id, email, first, last] = role === 'admin' ? ['1', EXAMPLE_ADMIN_EMAIL, 'Kim', 'Berg'] : ['2', EXAMPLE_USER_EMAIL, 'Alex', 'Lind'];
  const Attributes = [
    { Name: 'sub', Value: id }, { Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' },
    { Name: 'name', Value: first }, { Name: 'family_name', Value: last }, { Name: 'phone_number', Value: '+46701234567' },
    { Name: 'custom:street_address', Value: 'Gjuterigatan 5' }, { Name: 'custom:zip_code', Value: '553 18' },
    { Name: 'custom:city', Value: 'Jönköping' }, { Name: 'custom:country', Value: 'Sweden' },
  ];
  const rest = { UserCreateDate: '2025-05-01T10:00:00.000Z', UserLastModifiedDate: '2025-06-02T08:15:00.000Z', Enabled: true, UserStatus: 'CONFIRMED' };
  return { list: { Username: email, Attributes, ...rest }, detail: { Username: email, UserAttributes: Attributes, ...rest } };
}
const exampleCard = { idTag: '04A2B3C4D5', status: 'Accepted', expiresAt: null };

/**
 * User and admin management for the admin GUI: `/admin/users…` acts on users, `/admin…`
 * on admins, with the identity-service shapes the GUI reads. Admins only.
 */
export function adminRoutes({ guards, userAdmin, db, localLists }: HttpContext) {
  return async (app: App) => {
    const admin = { onRequest: guards.admin };
    const sets: [Role, string, typeof TAG.adminUsers | typeof TAG.adminAdmins][] = [['user', '/admin/users', TAG.adminUsers], ['admin', '/admin', TAG.adminAdmins]];

    for (const [role, base, tag] of sets) {
      const one = `${base}/:username`;
      const Name = role === 'admin' ? 'Admin' : 'User';
      const example = exampleAccount(role);
      const params = Type.Object({ username: { ...Username.properties.username, examples: [example.list.Username] } });
      const unknown = `No ${role} has this e-mail address or id (\`UserNotFoundException\`)`;
      const tooLong = '`username` longer than 254 characters (`InvalidParameterException`)';
      // `/admin/{username}/…` and `/admin/users/{username}` look alike; an admin's e-mail address or id is never `users`.
      const which = role === 'admin' ? ' `{username}` is an admin\'s e-mail address or numeric id (`/admin/users/…` are the user routes).' : '';

      app.get(base, {
        ...admin,
        schema: operation({
          id: `list${Name}s`, tag, access: 'admin', summary: `List ${role}s`,
          description: `The ${role}s, oldest first, a page at a time: \`limit\` (at most 60) and \`pagination_token\` (the \`NextToken\` of the previous page).`,
          errors: { 400: '`limit` out of range or an invalid `pagination_token` (`InvalidParameterException`)' },
        }, {
          querystring: ListQuery,
          response: {
            200: json(`A page of ${role}s; \`NextToken\` when there are more`, Type.Object({ Users: Type.Array(CognitoUser), NextToken: Type.Optional(Type.String()) }), { Users: [example.list] }),
          },
        }),
      }, async (request) => {
        const page = await userAdmin.list(role, request.query.limit ?? 60, request.query.pagination_token?.replace(/ /g, '+'));
        return { Users: page.users.map(cognitoUser), ...(page.next ? { NextToken: page.next } : {}) };
      });

      app.post(base, {
        ...admin,
        schema: operation({
          id: `create${Name}`, tag, access: 'admin', summary: `Create a ${role} with a temporary password`,
          description: `Creates a${role === 'admin' ? 'n admin' : ' user'} with a temporary password (given, or generated), e-mailed to them; `
            + 'the first sign-in must choose a new one (the new-password challenge).',
          errors: { 400: 'Invalid e-mail address or field (`InvalidParameterException`), a password against the policy (`InvalidPasswordException`) '
            + 'or an address in use (`UsernameExistsException`)' },
        }, {
          body: { ...NewAccount, examples: [{ username: example.list.Username, name: 'Alex', family_name: 'Lind' }] },
          response: { 201: json(`The ${role}, created (status FORCE_CHANGE_PASSWORD)`, Type.Object({ User: CognitoUser }), { User: { ...example.list, UserStatus: 'FORCE_CHANGE_PASSWORD' } }) },
        }),
      }, async (request, reply) => {
        const body = request.body;
        const user = await userAdmin.create(role, { email: body.username, password: body.password || undefined, firstName: body.name, lastName: body.family_name, phoneNumber: body.phoneNumber });
        return reply.status(201).send({ User: cognitoUser(user) });
      });

      app.put(one, {
        ...admin,
        schema: operation({
          id: `update${Name}`, tag, access: 'admin', summary: `Change a ${role}'s attributes`,
          description: 'Sets the given attributes (`name`, `family_name`, `email`, `email_verified`, `phone_number`, `custom:street_address`, '
            + `\`custom:zip_code\`, \`custom:city\`, \`custom:country\`) and answers the updated account.${which}`,
          errors: { 400: `${tooLong}, an unknown attribute (\`InvalidParameterException\`) or an e-mail address in use (\`AliasExistsException\`)`, 404: unknown },
        }, {
          params,
          body: Type.Object(
            { userAttributes: Type.Array(Type.Object({ Name: Type.String({ maxLength: 100 }), Value: Type.String({ maxLength: 254 }) }), { maxItems: 20 }) },
            { ...invalid, examples: [{ userAttributes: [{ Name: 'phone_number', Value: '+46701234567' }] }] },
          ),
          response: { 200: json(`The ${role}, changed`, CognitoUserDetail, example.detail) },
        }),
      }, async (request) => cognitoUserDetail(await userAdmin.updateAttributes(role, request.params.username, request.body.userAttributes)));

      app.delete(one, {
        ...admin,
        schema: operation({
          id: `delete${Name}`, tag, access: 'admin', summary: `Delete a ${role}`,
          description: `Removes the ${role}'s personal data and access; charging sessions and invoices are kept.${which}`,
          errors: { 400: tooLong, 404: unknown, ...(role === 'admin' ? { 409: 'The last enabled admin (`LastAdminException`)' } : {}) },
        }, {
          params,
          response: { 200: json('Deleted', ok, {}) },
        }),
      }, async (request) => {
        await userAdmin.delete(role, request.params.username);
        return {};
      });

      for (const action of ['enable', 'disable'] as const) {
        app.put(`${one}/${action}`, {
          ...admin,
          schema: operation({
            id: `${action}${Name}`, tag, access: 'admin', summary: `${action === 'enable' ? 'Enable' : 'Disable'} a ${role}`,
            description: (action === 'enable' ? `Lets the ${role} sign in again.` : `Stops the ${role} from signing in and ends their sessions at once.`) + which,
            errors: {
              400: tooLong, 404: unknown,
              ...(role === 'admin' && action === 'disable' ? { 409: 'The last enabled admin (`LastAdminException`)' } : {}),
            },
          }, {
            params,
            response: { 200: json(action === 'enable' ? 'Enabled' : 'Disabled', ok, {}) },
          }),
        }, async (request) => {
          await userAdmin.setEnabled(role, request.params.username, action === 'enable');
          return {};
        });
      }

      app.post(`/admin/set-${role}-password`, {
        ...admin,
        schema: operation({
          id: `set${Name}Password`, tag, access: 'admin', summary: `Set a ${role}'s password`,
          description: `Sets the ${role}'s password: permanent (they sign in with it), or with \`permanent: false\` temporary (the next `
            + 'sign-in must choose a new one). Their sessions end.',
          errors: { 400: 'A field missing or invalid (`InvalidParameterException`) or a password against the policy (`InvalidPasswordException`)', 404: unknown },
        }, {
          body: Type.Object(
            { username: Type.String({ minLength: 1, maxLength: 254, ...invalid }), password: Type.String({ maxLength: 256, ...invalid }), permanent: Type.Optional(Type.Boolean()) },
            { ...invalid, examples: [{ username: example.list.Username, password: 'new-password-2', permanent: false }] },
          ),
          response: { 200: json('Set', Type.Object({ data: Type.Object({}), statusCode: Type.Integer() }), { data: {}, statusCode: 201 }) },
        }),
      }, async (request) => {
        await userAdmin.setPassword(role, request.body.username, request.body.password, request.body.permanent ?? true);
        return { data: {}, statusCode: 201 };
      });
    }

    const userParams = Type.Object({ username: { ...Username.properties.username, examples: [EXAMPLE_USER_EMAIL] } });
    const unknownUser = 'No user has this e-mail address or id (`UserNotFoundException`)';
    const tooLong = '`username` longer than 254 characters (`InvalidParameterException`)';

    app.get('/admin/users/:username', {
      ...admin,
      schema: operation({
        id: 'getUser', tag: TAG.adminUsers, access: 'admin', summary: 'One user',
        description: 'The user\'s profile and id, by e-mail address or id.',
        errors: { 400: tooLong, 404: unknownUser },
      }, {
        params: userParams,
        response: {
          200: json('The user', Type.Object({
            userId: Type.String(), username: Type.String(), firstName: Type.String(), lastName: Type.String(), phoneNumber: Type.String(),
            streetAddress: Type.String(), zipCode: Type.String(), city: Type.String(), country: Type.String(),
          }), {
            userId: '2', username: EXAMPLE_USER_EMAIL, firstName: 'Alex', lastName: 'Lind', phoneNumber: '+46701234567',
            streetAddress: 'Gjuterigatan 5', zipCode: '553 18', city: 'Jönköping', country: 'Sweden',
          }),
        },
      }),
    }, async (request) => reshapedUser(await userAdmin.find('user', request.params.username)));

    app.get('/admin/:username', {
      ...admin,
      schema: operation({
        id: 'getAdmin', tag: TAG.adminAdmins, access: 'admin', summary: 'One admin',
        description: 'The admin\'s account, by e-mail address or numeric id (`/admin/users` is the list of users, not an admin).',
        errors: { 400: tooLong, 404: 'No admin has this e-mail address or id (`UserNotFoundException`)' },
      }, {
        params: Type.Object({ username: { ...Username.properties.username, examples: [EXAMPLE_ADMIN_EMAIL] } }),
        response: { 200: json('The admin', CognitoUserDetail, exampleAccount('admin').detail) },
      }),
    }, async (request) => cognitoUserDetail(await userAdmin.find('admin', request.params.username)));

    app.post('/admin/reset-user-password/:username', {
      ...admin,
      schema: operation({
        id: 'resetUserPassword', tag: TAG.adminUsers, access: 'admin', summary: 'Require a new password of a user',
        description: 'The user can no longer sign in with their password and gets a reset code by e-mail for `POST /auth/confirm-forgot-password`.',
        errors: { 400: tooLong, 404: unknownUser },
      }, {
        params: userParams,
        response: { 200: json('Done; the code is on its way', ok, {}) },
      }),
    }, async (request) => {
      await userAdmin.resetPassword('user', request.params.username);
      return {};
    });

    const IdTagOut = Type.Object({ idTag: Type.String(), status: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]) });
    const idTagOut = (row: { id_tag: string; status: string; expires_at: Date | null }) => ({ idTag: row.id_tag, status: row.status, expiresAt: row.expires_at?.toISOString() ?? null });
    const Tag = Type.String({ minLength: 1, maxLength: 20, pattern: '^[\\x21-\\x7e]+$', 'x-error-code': 'invalidIdTag' });

    app.get('/admin/users/:username/idTags', {
      ...admin,
      schema: operation({
        id: 'listUserIdTags', tag: TAG.adminUsers, access: 'admin', summary: "A user's RFID cards",
        description: 'The RFID cards that bill this user.',
        errors: { 400: tooLong, 404: unknownUser },
      }, {
        params: userParams,
        response: { 200: json('The cards; `[]` when there are none', Type.Array(IdTagOut), [exampleCard]) },
      }),
    }, async (request) => (await listIdTags(db, (await userAdmin.find('user', request.params.username)).id)).map(idTagOut));

    app.post('/admin/users/:username/idTags', {
      ...admin,
      schema: operation({
        id: 'createUserIdTag', tag: TAG.adminUsers, access: 'admin', summary: 'Give a user an RFID card',
        description: 'Registers an RFID card for the user; charges started with it are billed to them.',
        errors: { 400: `${tooLong}, not an idTag (\`invalidIdTag\`), or a card that exists already (\`dbUniqueConstraintError\`)`, 404: unknownUser },
      }, {
        params: userParams,
        body: Type.Object({ idTag: Tag }, { 'x-error-code': 'invalidIdTag', examples: [{ idTag: exampleCard.idTag }] }),
        response: { 201: json('The card, registered', IdTagOut, exampleCard) },
      }),
    }, async (request, reply) => {
      const user = await userAdmin.find('user', request.params.username);
      const row = await createIdTag(db, { idTag: request.body.idTag, userId: user.id });
      localLists.cardsChanged();
      return reply.status(201).send(idTagOut(row));
    });

    app.delete('/admin/users/:username/idTags/:idTag', {
      ...admin,
      schema: operation({
        id: 'deleteUserIdTag', tag: TAG.adminUsers, access: 'admin', summary: "Remove a user's RFID card",
        description: 'Removes the card if it is the user\'s (matched case-insensitively).',
        errors: { 400: `${tooLong}, or not an idTag (\`invalidIdTag\`)`, 404: 'No such user, or the user has no such card' },
      }, {
        params: Type.Object({ username: userParams.properties.username, idTag: { ...Tag, examples: [exampleCard.idTag] } }),
        response: { 204: noContent('Removed') },
      }),
    }, async (request, reply) => {
      const user = await userAdmin.find('user', request.params.username);
      const owned = (await listIdTags(db, user.id)).some((tag) => tag.id_tag.toUpperCase() === request.params.idTag.toUpperCase());
      if (!owned) throw notFound(`idTag ${request.params.idTag} of this user`);
      await deleteIdTag(db, request.params.idTag);
      localLists.cardsChanged();
      return reply.status(204).send(null);
    });
  };
}
