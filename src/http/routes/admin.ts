import { Type } from '@sinclair/typebox';
import type { User } from '../../domain/accounts.ts';
import { notFound } from '../../domain/errors.ts';
import { createIdTag, deleteIdTag, listIdTags } from '../../domain/idTagAdmin.ts';
import type { Role } from '../../domain/tokens.ts';
import { attributesOf } from '../../domain/userAdmin.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, errorResponses } from '../schemas.ts';
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
const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 254, ...invalid }) });
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, ...invalid })),
  pagination_token: Type.Optional(Type.String({ maxLength: 200, ...invalid })),
});
const NewAccount = Type.Object({
  username: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', ...invalid, description: 'E-mail address' }),
  password: Type.Optional(Type.String({ maxLength: 256, ...invalid, description: 'Temporary password; generated when left out' })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  family_name: Type.Optional(Type.String({ maxLength: 100 })),
  phoneNumber: Type.Optional(Type.String({ maxLength: 40 })),
}, invalid);
const ok = Type.Object({});

/**
 * User and admin management for the admin GUI: `/admin/users…` acts on users, `/admin…`
 * on admins, with the identity-service shapes the GUI reads. Admins only.
 */
export function adminRoutes({ guards, userAdmin, db }: HttpContext) {
  return async (app: App) => {
    const admin = { onRequest: guards.admin };
    const sets: [Role, string, string][] = [['user', '/admin/users', 'admin: users'], ['admin', '/admin', 'admin: admins']];

    for (const [role, base, tag] of sets) {
      const one = `${base}/:username`;
      const tags = [tag];

      app.get(base, {
        ...admin,
        schema: {
          tags, summary: `List ${role}s (paged: limit ≤ 60, pagination_token from NextToken)`, security: bearer, querystring: ListQuery,
          response: { 200: Type.Object({ Users: Type.Array(CognitoUser), NextToken: Type.Optional(Type.String()) }), ...errorResponses(400, 401, 403) },
        },
      }, async (request) => {
        const page = await userAdmin.list(role, request.query.limit ?? 60, request.query.pagination_token?.replace(/ /g, '+'));
        return { Users: page.users.map(cognitoUser), ...(page.next ? { NextToken: page.next } : {}) };
      });

      app.post(base, {
        ...admin,
        schema: { tags, summary: `Create a ${role} with a temporary password (e-mailed)`, security: bearer, body: NewAccount, response: { 201: Type.Object({ User: CognitoUser }), ...errorResponses(400, 401, 403) } },
      }, async (request, reply) => {
        const body = request.body;
        const user = await userAdmin.create(role, { email: body.username, password: body.password || undefined, firstName: body.name, lastName: body.family_name, phoneNumber: body.phoneNumber });
        return reply.status(201).send({ User: cognitoUser(user) });
      });

      app.put(one, {
        ...admin,
        schema: {
          tags, summary: `Change a ${role}'s attributes; answers the updated user`, security: bearer, params: Username,
          body: Type.Object({ userAttributes: Type.Array(Type.Object({ Name: Type.String({ maxLength: 100 }), Value: Type.String({ maxLength: 254 }) }), { maxItems: 20 }) }, invalid),
          response: { 200: CognitoUserDetail, ...errorResponses(400, 401, 403, 404) },
        },
      }, async (request) => cognitoUserDetail(await userAdmin.updateAttributes(role, request.params.username, request.body.userAttributes)));

      app.delete(one, {
        ...admin,
        schema: { tags, summary: `Delete a ${role} (sessions and invoices are kept)`, security: bearer, params: Username, response: { 200: ok, ...errorResponses(401, 403, 404, 409) } },
      }, async (request) => {
        await userAdmin.delete(role, request.params.username);
        return {};
      });

      for (const action of ['enable', 'disable'] as const) {
        app.put(`${one}/${action}`, {
          ...admin,
          schema: { tags, summary: `${action === 'enable' ? 'Enable' : 'Disable (and sign out)'} a ${role}`, security: bearer, params: Username, response: { 200: ok, ...errorResponses(401, 403, 404, 409) } },
        }, async (request) => {
          await userAdmin.setEnabled(role, request.params.username, action === 'enable');
          return {};
        });
      }

      app.post(`/admin/set-${role}-password`, {
        ...admin,
        schema: {
          tags, summary: `Set a ${role}'s password (permanent unless permanent: false)`, security: bearer,
          body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 254, ...invalid }), password: Type.String({ maxLength: 256, ...invalid }), permanent: Type.Optional(Type.Boolean()) }, invalid),
          response: { 200: Type.Object({ data: Type.Object({}), statusCode: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
        },
      }, async (request) => {
        await userAdmin.setPassword(role, request.body.username, request.body.password, request.body.permanent ?? true);
        return { data: {}, statusCode: 201 };
      });
    }

    app.get('/admin/users/:username', {
      ...admin,
      schema: {
        tags: ['admin: users'], summary: 'One user', security: bearer, params: Username,
        response: {
          200: Type.Object({
            userId: Type.String(), username: Type.String(), firstName: Type.String(), lastName: Type.String(), phoneNumber: Type.String(),
            streetAddress: Type.String(), zipCode: Type.String(), city: Type.String(), country: Type.String(),
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    }, async (request) => reshapedUser(await userAdmin.find('user', request.params.username)));

    app.get('/admin/:username', {
      ...admin,
      schema: { tags: ['admin: admins'], summary: 'One admin', security: bearer, params: Username, response: { 200: CognitoUserDetail, ...errorResponses(401, 403, 404) } },
    }, async (request) => cognitoUserDetail(await userAdmin.find('admin', request.params.username)));

    app.post('/admin/reset-user-password/:username', {
      ...admin,
      schema: { tags: ['admin: users'], summary: 'Require a new password: the user gets a reset code by e-mail', security: bearer, params: Username, response: { 200: ok, ...errorResponses(401, 403, 404) } },
    }, async (request) => {
      await userAdmin.resetPassword('user', request.params.username);
      return {};
    });

    const IdTagOut = Type.Object({ idTag: Type.String(), status: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]) });
    const idTagOut = (row: { id_tag: string; status: string; expires_at: Date | null }) => ({ idTag: row.id_tag, status: row.status, expiresAt: row.expires_at?.toISOString() ?? null });
    const Tag = Type.String({ minLength: 1, maxLength: 20, pattern: '^[\\x21-\\x7e]+$', 'x-error-code': 'invalidIdTag' });

    app.get('/admin/users/:username/idTags', {
      ...admin,
      schema: { tags: ['admin: users'], summary: "A user's RFID cards", security: bearer, params: Username, response: { 200: Type.Array(IdTagOut), ...errorResponses(401, 403, 404) } },
    }, async (request) => (await listIdTags(db, (await userAdmin.find('user', request.params.username)).id)).map(idTagOut));

    app.post('/admin/users/:username/idTags', {
      ...admin,
      schema: {
        tags: ['admin: users'], summary: 'Give a user an RFID card (charges started with it are billed to the user)', security: bearer, params: Username,
        body: Type.Object({ idTag: Tag }, { 'x-error-code': 'invalidIdTag' }), response: { 201: IdTagOut, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      const user = await userAdmin.find('user', request.params.username);
      return reply.status(201).send(idTagOut(await createIdTag(db, { idTag: request.body.idTag, userId: user.id })));
    });

    app.delete('/admin/users/:username/idTags/:idTag', {
      ...admin,
      schema: { tags: ['admin: users'], summary: "Remove a user's RFID card", security: bearer, params: Type.Object({ username: Username.properties.username, idTag: Tag }), response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
    }, async (request, reply) => {
      const user = await userAdmin.find('user', request.params.username);
      const owned = (await listIdTags(db, user.id)).some((tag) => tag.id_tag.toUpperCase() === request.params.idTag.toUpperCase());
      if (!owned) throw notFound(`idTag ${request.params.idTag} of this user`);
      await deleteIdTag(db, request.params.idTag);
      return reply.status(204).send(null);
    });
  };
}
