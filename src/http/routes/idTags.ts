import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.ts';
import { createIdTag, deleteIdTag, listIdTags, updateIdTag, type IdTagRow } from '../../domain/idTagAdmin.ts';
import type { App, HttpContext } from '../context.ts';
import { json, noContent, operation, TAG } from '../openapi.ts';

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
}, { $id: 'IdTag', description: 'An RFID card' });

const Tag = Type.String({ minLength: 1, maxLength: 20, pattern: '^[\\x21-\\x7e]+$', 'x-error-code': 'invalidIdTag', description: 'CiString20, printable ASCII' });
const fields = {
  userID: Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.Null()], { 'x-error-code': 'invalidUserID' }),
  parentIdTag: Type.Union([Tag, Type.Null()], { 'x-error-code': 'invalidIdTag' }),
  status: Type.Unsafe<'Accepted' | 'Blocked' | 'Expired' | 'Invalid'>({ type: 'string', enum: ['Accepted', 'Blocked', 'Expired', 'Invalid'], 'x-error-code': 'invalidStatus' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { 'x-error-code': 'invalidDateFormat' }),
};
const tag = TAG.idTags;
const exampleCard = { idTag: '04A2B3C4D5', userID: '2', parentIdTag: null, status: 'Accepted', expiresAt: '2026-12-31T23:00:00.000Z' };
const invalidCard = 'Invalid field (`invalidIdTag`, `invalidUserID`, `invalidStatus`, `invalidDateFormat`)';
const unknownCard = 'No card has this idTag';
const date = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));

/** RFID cards (OCPP idTags) for Authorize and charger-started sessions (admin). */
export function idTagRoutes({ db, guards, localLists }: HttpContext) {
  return async (app: App) => {
    app.addSchema(IdTagJson);
    const Ref = Type.Ref(IdTagJson);
    const Params = Type.Object({ idTag: { ...Tag, examples: [exampleCard.idTag] } });

    app.get('/idTags', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listIdTags', tag, access: 'admin', summary: 'RFID cards, all or one user\'s',
        description: 'The RFID cards the chargers authorize, all of them or (`?userID=`) one user\'s.',
        errors: { 400: '`userID` is not a positive integer (`invalidUserID`)' },
      }, {
        querystring: Type.Object({ userID: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, 'x-error-code': 'invalidUserID' })) }),
        response: { 200: json('The cards; `[]` when there are none', Type.Array(Ref), [exampleCard]) },
      }),
    }, async (request) => (await listIdTags(db, request.query.userID)).map(idTagJson));

    app.post('/idTags', {
      onRequest: guards.admin,
      schema: operation({
        id: 'createIdTag', tag, access: 'admin', summary: 'Register an RFID card',
        description: 'Registers a card, optionally for a user (sessions started with it are billed to that user), with a parent '
          + 'tag, a status (default `Accepted`) and an expiry.',
        errors: { 400: `${invalidCard}, a card that exists already (\`dbUniqueConstraintError\`) or an unknown user (\`invalidUserID\`)` },
      }, {
        body: Type.Composite([Type.Object({ idTag: Tag }), Type.Partial(Type.Object(fields))], {
          'x-error-code': 'invalidIdTag',
          examples: [{ idTag: exampleCard.idTag, userID: 2, expiresAt: exampleCard.expiresAt }],
        }),
        response: { 201: json('The card, registered', Ref, exampleCard) },
      }),
    }, async (request, reply) => {
      const body = request.body;
      const row = await createIdTag(db, { idTag: body.idTag, userId: body.userID, parentIdTag: body.parentIdTag, status: body.status, expiresAt: date(body.expiresAt) });
      localLists.cardsChanged();
      return reply.status(201).send(idTagJson(row));
    });

    app.put('/idTags/:idTag', {
      onRequest: guards.admin,
      schema: operation({
        id: 'updateIdTag', tag, access: 'admin', summary: 'Change an RFID card',
        description: 'Changes any of owner, parent tag, status (e.g. `Blocked`) and expiry; `null` clears owner, parent or expiry. '
          + 'The idTag is matched case-insensitively.',
        errors: { 400: `${invalidCard}, no known field at all, or an unknown user`, 404: unknownCard },
      }, {
        params: Params,
        body: Type.Partial(Type.Object(fields), { minProperties: 1, 'x-error-code': 'invalidIdTag', examples: [{ status: 'Blocked' }] }),
        response: { 200: json('The card, changed', Ref, { ...exampleCard, status: 'Blocked' }) },
      }),
    }, async (request) => {
      const body = request.body;
      if (body.userID === undefined && body.parentIdTag === undefined && body.status === undefined && body.expiresAt === undefined) {
        throw new DomainError('invalid', ['invalidIdTag'], 'Nothing to change: give userID, parentIdTag, status or expiresAt');
      }
      const row = await updateIdTag(db, request.params.idTag, { userId: body.userID, parentIdTag: body.parentIdTag, status: body.status, expiresAt: date(body.expiresAt) });
      localLists.cardsChanged();
      return idTagJson(row);
    });

    app.delete('/idTags/:idTag', {
      onRequest: guards.admin,
      schema: operation({
        id: 'deleteIdTag', tag, access: 'admin', summary: 'Remove an RFID card',
        description: 'Removes the card (matched case-insensitively); Authorize no longer accepts it.',
        errors: { 400: 'Not an idTag (1–20 printable ASCII characters, `invalidIdTag`)', 404: unknownCard },
      }, {
        params: Params,
        response: { 204: noContent('Removed') },
      }),
    }, async (request, reply) => {
      await deleteIdTag(db, request.params.idTag);
      localLists.cardsChanged();
      return reply.status(204).send(null);
    });
  };
}
