import type { SwaggerOptions } from '@fastify/swagger';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import type { Config } from '../config.ts';
import { errorBody } from './errors.ts';

/**
 * What the OpenAPI document (`/openapi.json`, Swagger UI on `/swagger`) says beyond the
 * route schemas: the error envelope, who may call a route, the tags, and the document's
 * own frame. Routes describe themselves with `operation()`, `json()` and `noContent()`.
 */

/** Every error answer: the original's code(s) plus a message the apps can show. */
export const ErrorBody = Type.Object(
  {
    status: Type.Integer({ description: 'The HTTP status, repeated' }),
    code: Type.String({ description: 'The first of errorCodes: the original FlexiCharge (or identity service) error code' }),
    message: Type.String({ description: 'For people' }),
    errorCodes: Type.Optional(Type.Array(Type.String(), { description: 'Every code that applies, e.g. one per invalid field' })),
  },
  { $id: 'ErrorBody', description: 'The JSON body of every error answer' },
);

const ErrorBodyRef = Type.Ref(ErrorBody);

/** The tags, one per resource, in the order Swagger UI lists them. */
export const TAG = {
  chargers: 'chargers',
  chargePoints: 'chargePoints',
  auth: 'auth',
  transaction: 'transaction',
  legacyTransactions: 'transactions (2022 API)',
  reservations: 'reservations',
  tariffs: 'tariffs',
  invoices: 'invoices',
  idTags: 'idTags',
  admin: 'admin',
  adminUsers: 'admin: users',
  adminAdmins: 'admin: admins',
  commands: 'commands',
  operations: 'operations',
  dashboard: 'dashboard',
} as const;
export type Tag = (typeof TAG)[keyof typeof TAG];

const TAG_DESCRIPTIONS: Record<Tag, string> = {
  [TAG.chargers]: 'The chargers (connectorID 100000 and up): public reads for the apps, changes for admins',
  [TAG.chargePoints]: 'The charge points (sites) the chargers stand at, with their prices in öre',
  [TAG.auth]: 'Accounts of the end users: sign-up, sign-in, tokens, passwords, profile',
  [TAG.transaction]: 'Charging sessions as the current apps run them: create, start, poll, stop',
  [TAG.legacyTransactions]: 'The 2022 `/transactions` API of the older apps, on the same sessions',
  [TAG.reservations]: 'Reserving a charger ahead of a session (OCPP ReserveNow)',
  [TAG.tariffs]: 'Hourly electricity prices, added to each charge point\'s price per kWh',
  [TAG.invoices]: 'Monthly invoices of the sessions payable by invoice',
  [TAG.idTags]: 'RFID cards (OCPP idTags) that start sessions at a charger',
  [TAG.admin]: 'The admin GUI\'s sign-in',
  [TAG.adminUsers]: 'User management for admins (in the identity service\'s shapes the admin GUI reads)',
  [TAG.adminAdmins]: 'Admin management for admins',
  [TAG.commands]: 'Any OCPP command to one charger or many, and the history of every command sent to a charger',
  [TAG.operations]: 'Health, metrics and self-test, for operators, load balancers and Prometheus',
  [TAG.dashboard]: 'What the operator dashboard reads: the fleet at a glance, every charging session, and the live stream of events',
};

const BEARER = [{ bearerAuth: [] }];

/**
 * Who may call a route, as the route's guard (src/http/auth.ts) decides: `public` routes
 * have no guard and never read the Authorization header; `user` routes take any valid
 * access token (users and admins); `admin` routes an admin's.
 */
export type Access = 'public' | 'user' | 'admin';

const ACCESS: Record<Access, { security: { bearerAuth: string[] }[]; who: string; errors: ErrorStatus[] }> = {
  public: { security: [], who: 'Public: no sign-in needed (an `Authorization` header is ignored).', errors: [] },
  user: { security: BEARER, who: 'Signed-in users and admins (`Authorization: Bearer <accessToken>`).', errors: [401] },
  admin: { security: BEARER, who: 'Admins only (`Authorization: Bearer <accessToken>` of an admin); a user\'s token gets 403.', errors: [401, 403] },
};

/** The error statuses a route can answer with the ErrorBody envelope. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 502 | 503 | 504;

/** What an error answer means on a route; a string keeps the status's usual example. */
export type ErrorDoc = string | { description: string; codes: string[]; message: string };

const ERROR_DEFAULTS: Record<ErrorStatus, { description: string; code: string; message: string }> = {
  400: { description: 'Invalid input; `errorCodes` names each invalid field', code: 'invalidInput', message: 'A value is out of range or not allowed' },
  401: {
    description: 'No valid access token: missing, malformed, expired, or revoked (the account was disabled or deleted, or its password changed)',
    code: 'unauthorizedError', message: 'No authorization token was found',
  },
  403: { description: 'The access token is valid but not an admin\'s', code: 'forbiddenError', message: 'Insufficient scope' },
  404: { description: 'Not found', code: 'notFoundError', message: 'Charger 999999 not found' },
  409: { description: 'The request conflicts with the current state', code: 'chargerNotAvailable', message: 'Charger 100001 is Charging' },
  413: { description: 'The body is larger than the route accepts', code: 'bodyTooLarge', message: 'Request body is too large' },
  415: { description: 'Unsupported content type', code: 'unsupportedMediaType', message: 'Unsupported Media Type: application/xml' },
  429: { description: 'Too many requests from this address; the limit is per minute', code: 'tooManyRequests', message: 'Too many requests; try again in 1 minute' },
  502: { description: 'The charger or the payment provider refused or failed', code: 'klarnaError', message: 'Klarna could not be reached (create session): no answer' },
  503: {
    description: 'The database cannot be reached right now (code `databaseUnavailable`); try again shortly',
    code: 'databaseUnavailable', message: 'The database cannot be reached right now; try again shortly',
  },
  504: { description: 'The charger did not answer in time', code: 'chargerTimeout', message: 'Charger 100000: no answer to RemoteStartTransaction within 30 s' },
};

/** A JSON answer: what it means, its schema and an example. */
export function json<T extends TSchema>(description: string, schema: T, example?: Static<T>) {
  const media = example === undefined ? { schema } : { schema, example };
  return { description, content: { 'application/json': media } };
}

/** An answer without a body (204). */
export const noContent = (description: string) => Type.Null({ description });

/** Error answers in the ErrorBody envelope, each with what it means on the route and an example. */
export function errorAnswers(errors: Partial<Record<ErrorStatus, ErrorDoc>>) {
  const answers: Record<string, ReturnType<typeof json<typeof ErrorBodyRef>>> = {};
  for (const [key, doc] of Object.entries(errors) as [string, ErrorDoc][]) {
    const status = Number(key) as ErrorStatus;
    const { code, message } = ERROR_DEFAULTS[status];
    const { description, codes, message: example } = typeof doc === 'string' ? { description: doc, codes: [code], message } : doc;
    answers[key] = json(description, ErrorBodyRef, errorBody(status, codes, example));
  }
  return answers;
}

export interface OperationDoc {
  /** Unique, camelCase: the name generated clients give the call. */
  id: string;
  tag: Tag;
  /** One line. */
  summary: string;
  /** What the route does; who may call it is added from `access` (or `who`). */
  description: string;
  access: Access;
  /** Replaces the access sentence where the answer depends on who asks. */
  who?: string;
  /** Replaces the security requirement of `access`, e.g. `[{ bearerAuth: [] }, {}]` for an optional token. */
  security?: { bearerAuth?: string[]; metricsToken?: string[] }[];
  /**
   * The route's own error answers (400, 404, 409, …). 401 and 403 come from `access`,
   * 503 from `database` unless given here.
   */
  errors?: Partial<Record<ErrorStatus, ErrorDoc>>;
  /** Whether the route reads or writes the database (then it may answer 503); default true. */
  database?: boolean;
}

/**
 * A route's schema with its documentation: operationId, tag, summary, a description that
 * says who may call it, its security requirement and every error answer it can give.
 */
export function operation<S extends FastifySchema>(doc: OperationDoc, schema: S): S {
  const access = ACCESS[doc.access];
  const errors: Partial<Record<ErrorStatus, ErrorDoc>> = {};
  for (const status of access.errors) errors[status] = ERROR_DEFAULTS[status].description;
  if (doc.database !== false) errors[503] = ERROR_DEFAULTS[503].description;
  Object.assign(errors, doc.errors);
  return {
    ...schema,
    operationId: doc.id,
    tags: [doc.tag],
    summary: doc.summary,
    description: `${doc.description}\n\n**Who may call it:** ${doc.who ?? access.who}`,
    security: doc.security ?? access.security,
    response: { ...(schema.response as object), ...errorAnswers(errors) },
  };
}

/**
 * The document's frame for @fastify/swagger. OpenAPI 3.1, whose schemas are JSON Schema
 * 2020-12: the `[latitude, longitude]` pairs are described exactly (`prefixItems`).
 */
export function openapiOptions(config: Config): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'FlexiCharge API',
        version: '1.0.0',
        description: [
          'Chargers, charge points, accounts, charging sessions, payments and invoices of the FlexiCharge network.',
          '',
          'Sign in with `POST /auth/sign-in` (users) or `POST /admin/sign-in` (admins) and send the `accessToken` as '
            + '`Authorization: Bearer <accessToken>` (the Authorize button). Public routes never look at the header.',
          '',
          'Every error has a JSON body `{status, code, message, errorCodes}` (schema `ErrorBody`); `code` and `errorCodes` '
            + 'carry the original FlexiCharge codes. Ids and money (öre) are JSON integers.',
        ].join('\n'),
      },
      // Swagger UI's "Try it out" calls this address; without PUBLIC_URL, the one the document was fetched from.
      servers: [config.publicUrl
        ? { url: config.publicUrl, description: 'This server (PUBLIC_URL)' }
        : { url: '/', description: 'This server' }],
      tags: Object.values(TAG).map((name) => ({ name, description: TAG_DESCRIPTIONS[name] })),
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `accessToken` of a sign-in' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'The `METRICS_TOKEN` of the server (GET /metrics, when it is set)' },
        },
      },
    },
    // Paths are the routes as they are, whatever path PUBLIC_URL has.
    stripBasePath: false,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (document) => {
      const openapiObject = 'openapiObject' in document ? document.openapiObject : document.swaggerObject;
      describeTuples(openapiObject);
      return openapiObject;
    },
  };
}

/**
 * The route schemas are draft-07 for Ajv, where a tuple is `items: [a, b]` with
 * `additionalItems: false`; OpenAPI 3.1 (JSON Schema 2020-12) writes it `prefixItems: [a, b]`
 * with `items: false`. Only the document is rewritten; validation keeps its schemas (and their
 * per-position error codes, invalidLatitude / invalidLongitude).
 */
function describeTuples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) describeTuples(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'array' && Array.isArray(schema.items)) {
    schema.prefixItems = schema.items;
    if (schema.additionalItems === false) schema.items = false;
    else delete schema.items;
    delete schema.additionalItems;
  }
  for (const value of Object.values(schema)) describeTuples(value);
}
