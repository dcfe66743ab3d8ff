import { Type } from '@sinclair/typebox';
import { createIdTag, deleteIdTag, listIdTags, updateIdTag, type IdTagRow } from '../../domain/idTagAdmin.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, errorResponses } from '../schemas.ts';

function idTagJson(row: IdTagRow) {
  return {
    idTag: row.id_tag,
    userID: row.user_id === null ? null : String(row.user_id),
    parentIdTag: row.parent_id_tag,
    status: row.status,
    expiresAt: row.expires_at?.toISOString() ?? null,
  };
}

const IdTagJson = Type.Object({
  idTag: Type.String(),
  userID: Type.Union([Type.String(), Type.Null()]),
  parentIdTag: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
}, { $id: 'IdTag' });

const Tag = Type.String({ minLength: 1, maxLength: 20, pattern: '^[\\x21-\\x7e]+$', 'x-error-code': 'invalidIdTag', description: 'CiString20, printable ASCII' });
const fields = {
  userID: Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.Null()], { 'x-error-code': 'invalidUserID' }),
  parentIdTag: Type.Union([Tag, Type.Null()], { 'x-error-code': 'invalidIdTag' }),
  status: Type.Unsafe<'Accepted' | 'Blocked' | 'Expired' | 'Invalid'>({ type: 'string', enum: ['Accepted', 'Blocked', 'Expired', 'Invalid'], 'x-error-code': 'invalidStatus' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { 'x-error-code': 'invalidDateFormat' }),
};
const tags = ['idTags'];
const date = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));

/** RFID cards (OCPP idTags) for Authorize and charger-started sessions (admin). */
export function idTagRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(IdTagJson);
    const Ref = Type.Ref(IdTagJson);
    const Params = Type.Object({ idTag: Tag });

    app.get('/idTags', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'RFID cards, all or one user\'s (admin)', security: bearer,
        querystring: Type.Object({ userID: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, 'x-error-code': 'invalidUserID' })) }),
        response: { 200: Type.Array(Ref), ...errorResponses(400, 401, 403) },
      },
    }, async (request) => (await listIdTags(db, request.query.userID)).map(idTagJson));

    app.post('/idTags', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Register an RFID card, optionally for a user (admin)', security: bearer,
        body: Type.Composite([Type.Object({ idTag: Tag }), Type.Partial(Type.Object(fields))], { 'x-error-code': 'invalidIdTag' }),
        response: { 201: Ref, ...errorResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const body = request.body;
      const row = await createIdTag(db, { idTag: body.idTag, userId: body.userID, parentIdTag: body.parentIdTag, status: body.status, expiresAt: date(body.expiresAt) });
      return reply.status(201).send(idTagJson(row));
    });

    app.put('/idTags/:idTag', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Change a card: owner, parent, status (Blocked …), expiry (admin)', security: bearer, params: Params,
        body: Type.Partial(Type.Object(fields), { minProperties: 1, 'x-error-code': 'invalidIdTag' }),
        response: { 200: Ref, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request) => {
      const body = request.body;
      return idTagJson(await updateIdTag(db, request.params.idTag, { userId: body.userID, parentIdTag: body.parentIdTag, status: body.status, expiresAt: date(body.expiresAt) }));
    });

    app.delete('/idTags/:idTag', {
      onRequest: guards.admin,
      schema: { tags, summary: 'Remove a card (admin)', security: bearer, params: Params, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (request, reply) => {
      await deleteIdTag(db, request.params.idTag);
      return reply.status(204).send(null);
    });
  };
}
