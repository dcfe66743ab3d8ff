import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openapiOptions } from '../../src/http/openapi.ts';
import { EXAMPLE_ADMIN_SIGN_IN } from '../../src/http/examples.ts';
import { startTestSystem, type RequestOptions } from '../support/testSystem.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** `/a/{b}` as the JSON pointer redocly reports a path under. */
const pathPointer = (path: string) => `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * redocly's `recommended` ruleset, with these exceptions:
 * - `info-license` off: the project declares no licence (package.json is private and there is no
 *   LICENSE file); naming one in the API document would invent it.
 * - `operation-4xx-response` for the four GETs that take no input at all (no parameters, query or
 *   body, no sign-in): they cannot answer with any 4xx, and the document lists only answers a
 *   route can really give.
 * - `no-ambiguous-paths` for the legacy URLs the clients use (reference/clients.md), which must
 *   stay as they are. The rule compares path segments only; the parameters keep the routes
 *   apart: `{id}` of `/transaction/{id}/refund` and `/transaction/{id}/plan` is an integer
 *   transactionID, never `start`, `stop`, `userTransactions` or `chargerTransactions`, and `{username}` of
 *   `/admin/{username}/…` is an admin's e-mail address or numeric id, never `users` or
 *   `reset-user-password` (the descriptions of those operations say so), and `{id}` of
 *   `/chargers/{id}/commands` and `/chargers/{id}/messages` is an integer connectorID, never `serial`. The router matches the
 *   literal segments first. Each ambiguous pair is reported once, on the later path.
 */
const ACCEPTED: Record<string, string[]> = {
  'operation-4xx-response': ['/health', '/chargers', '/chargers/available', '/chargePoints'].map((path) => `${pathPointer(path)}/get/responses`),
  'no-ambiguous-paths': [
    '/chargers/{id}/local-list',
    '/transaction/{id}/refund', '/transaction/{id}/plan', '/transaction/userTransactions/{userID}', '/transaction/chargerTransactions/{connectorID}',
    '/admin/{username}/enable', '/admin/{username}/disable', '/admin/reset-user-password/{username}',
    '/chargers/{id}/configuration', '/chargers/{id}/desired-configuration',
    '/chargers/{id}/charging-profiles', '/chargers/{id}/composite-schedule',
    '/chargers/{id}/commands', '/chargers/{id}/messages',
    '/chargers/{id}/connectors', '/chargers/{id}/status-history', '/chargers/{id}/availability',
    '/chargers/{id}/firmware-updates', '/chargers/{id}/diagnostics', '/chargers/{id}/supply',
  ].map(pathPointer),
};
const INPUTLESS = new Set(['getHealth', 'listChargers', 'listAvailableChargers', 'listChargePoints']);
/** Answered from memory whether or not the database answers (the metrics keep the last energy total): never 503. */
const DATABASE_FREE = new Set(['getMetrics']);

async function lint(document: Json): Promise<NormalizedProblem[]> {
  const ignore = Object.fromEntries(Object.entries(ACCEPTED).map(([rule, pointers]) => [rule, new Set(pointers)]));
  const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } }, { ignore: { 'openapi.json': ignore } as never });
  const problems = await lintFromString({ source: JSON.stringify(document, null, 2), absoluteRef: 'openapi.json', config });
  return problems.filter((problem) => !problem.ignored);
}

const describeProblem = (problem: NormalizedProblem) => `${problem.severity} ${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`;

describe('OpenAPI document (/openapi.json)', () => {
  // The admin of the document's sign-in example, so that Swagger UI's example signs in on this server.
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let document: Json;
  let operations: { method: string; path: string; op: Json }[];
  let adminToken: string;
  let userToken: string;

  beforeAll(async () => {
    t = await startTestSystem({ ADMIN_EMAIL: EXAMPLE_ADMIN_SIGN_IN.username, ADMIN_PASSWORD: EXAMPLE_ADMIN_SIGN_IN.password });
    const response = await t.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    document = response.body;
    operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ method, path, op: item[method] as Json })));
    const signedIn = await t.request('POST', '/admin/sign-in', { body: EXAMPLE_ADMIN_SIGN_IN });
    expect(signedIn.status).toBe(200);
    adminToken = signedIn.body.accessToken;
    userToken = (await t.createUser()).token;
  });
  afterAll(() => t?.close());

  it('is a valid OpenAPI 3.1 document (swagger-parser), the same one Swagger UI loads', async () => {
    expect(document.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);
    expect((await t.request('GET', '/swagger/json')).body).toEqual(document);
    expect(operations.length).toBeGreaterThan(80);
  });

  it('has no redocly lint errors or warnings (recommended ruleset, exceptions above)', async () => {
    const problems = await lint(document);
    expect(problems.map(describeProblem)).toEqual([]);
  });

  it('names the server: the configured PUBLIC_URL, else the address the document was fetched from', () => {
    expect(document.servers).toEqual([{ url: '/', description: 'This server' }]);
    const config = loadConfig({ PUBLIC_URL: 'https://api.flexicharge.example/', DATA_DIR: '/tmp/unused' });
    expect((openapiOptions(config) as { openapi: Json }).openapi.servers).toEqual([{ url: 'https://api.flexicharge.example', description: 'This server (PUBLIC_URL)' }]);
  });

  it('describes every operation: operationId, one-line summary, description with who may call it, tag, security', () => {
    const ids = new Set<string>();
    const tags = new Set((document.tags as Json[]).map((tag) => tag.name));
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op.operationId), `${where}: operationId ${op.operationId} twice`).toBe(false);
      ids.add(op.operationId);
      expect(op.summary, where).toMatch(/^[^\n]{3,100}$/);
      expect(op.description, where).toMatch(/\S[\s\S]*\*\*Who may call it:\*\* \S/);
      expect(op.tags, where).toHaveLength(1);
      expect(tags.has(op.tags[0]), `${where}: tag ${op.tags[0]} not listed`).toBe(true);
      expect(Array.isArray(op.security), `${where}: security`).toBe(true);
      const isPublic = op.security.length === 0;
      expect(op.description.includes('Public: no sign-in needed'), `${where}: description and security disagree`).toBe(isPublic);
    }
  });

  it('gives every operation real answer descriptions, its 4xx answers in the error envelope, and 503 where it uses the database', () => {
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses);
      for (const status of statuses) {
        const response = op.responses[status];
        expect(response.description, `${where} ${status}`).not.toMatch(/^(Default Response)?$/);
        if (Number(status) >= 400 && op.operationId !== 'getHealth') {
          expect(response.content['application/json'].schema.$ref, `${where} ${status}`).toMatch(/^#\/components\/schemas\/(ErrorBody|SignInRefusal)$/);
          expect(response.content['application/json'].example.status, `${where} ${status} example`).toBe(Number(status));
        }
      }
      if (!INPUTLESS.has(op.operationId)) expect(statuses.some((status) => status.startsWith('4')), `${where}: no 4xx answer`).toBe(true);
      expect(statuses.includes('503'), `${where}: 503 databaseUnavailable`).toBe(!DATABASE_FREE.has(op.operationId));
      const bearerOnly = op.security.length === 1 && op.security[0].bearerAuth;
      if (bearerOnly) expect(statuses, `${where}: 401`).toContain('401');
      if (op.security.length === 0) expect(statuses.filter((status) => status === '401' || status === '403'), where).toEqual([]);
      if (op.description.includes('Admins only')) expect(statuses, `${where}: 403`).toContain('403');
    }
  });

  it('has an example for every JSON request body and every JSON success answer, and for the path parameters', () => {
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Record<string, Json>)) {
        expect(media.example !== undefined || media.examples !== undefined, `${where} request ${type}`).toBe(true);
      }
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        const media = response.content?.['application/json'];
        if (Number(status) < 300 && media) expect(media.example !== undefined || media.examples !== undefined, `${where} ${status}`).toBe(true);
      }
      for (const parameter of (op.parameters ?? []) as Json[]) {
        if (parameter.in === 'path') expect(parameter.example, `${where} {${parameter.name}}`).toBeDefined();
      }
    }
  });

  it('documents the access the server enforces: guarded routes answer 401 without a token, admin routes 403 to a user', async () => {
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const url = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        const parameter = (op.parameters as Json[]).find((candidate) => candidate.in === 'path' && candidate.name === name)!;
        return encodeURIComponent(String(parameter.example));
      });
      // The guards run before the body is read or validated, so no request here changes anything.
      if (op.security.length === 1 && op.security[0].bearerAuth) {
        expect((await t.request(method.toUpperCase(), url)).status, `${where} without a token`).toBe(401);
      }
      if (op.description.includes('Admins only')) {
        expect((await t.request(method.toUpperCase(), url, { token: userToken })).status, `${where} with a user's token`).toBe(403);
      }
    }
  });

  describe('Swagger UI\'s "Try it out" with the documented examples', () => {
    /** The request Swagger UI builds from the document's examples (path parameters and JSON body). */
    function exampleRequest(method: string, path: string): { url: string; options: RequestOptions; op: Json } {
      const op = document.paths[path][method];
      const url = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        const parameter = (op.parameters as Json[]).find((candidate) => candidate.in === 'path' && candidate.name === name)!;
        return encodeURIComponent(String(parameter.example));
      });
      const body = op.requestBody?.content['application/json'].example;
      return { url, options: body === undefined ? {} : { body }, op };
    }

    it.each([
      ['get', '/chargers'],
      ['get', '/chargers/{id}'],
      ['get', '/chargePoints'],
      ['get', '/chargePoints/{id}'],
      ['post', '/admin/sign-in'],
    ])('%s %s: accepted, answered 200 in the documented shape', async (method, path) => {
      const { url, options, op } = exampleRequest(method, path);
      const response = await t.request(method.toUpperCase(), url, options);
      expect(response.status, response.text).toBe(200);
      const example = op.responses['200'].content['application/json'].example;
      const shape = (value: unknown) => Object.keys(Array.isArray(value) ? value[0] : (value as Json)).sort();
      expect(shape(response.body)).toEqual(shape(example));
    });

    it.each([
      ['/chargers/{id}', '/chargers/abc', '400'],
      ['/chargers/{id}', '/chargers/999999', '404'],
      ['/chargePoints/{id}', '/chargePoints/abc', '400'],
      ['/chargePoints/{id}', '/chargePoints/99', '404'],
    ])('get %s: the documented error example is what %s answers', async (path, url, status) => {
      const response = await t.request('GET', url);
      expect(String(response.status)).toBe(status);
      expect(response.body).toEqual(document.paths[path].get.responses[status].content['application/json'].example);
    });

    it('post /auth/sign-in: accepted, as JSON and as a form; signs in the account of the example', async () => {
      const { url, options, op } = exampleRequest('post', '/auth/sign-in');
      const body = options.body as { username: string; password: string };
      // Unknown to the server: refused as wrong credentials, which is not a validation error.
      const unknown = await t.request('POST', url, options);
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('NotAuthorizedException');
      await t.createUser(body.username, body.password);
      const response = await t.request('POST', url, options);
      expect(response.status, response.text).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(Object.keys(op.responses['200'].content['application/json'].example).sort());
      expect((await t.request('POST', url, { form: body })).status).toBe(200);
    });
  });

  it('leaves the request validation as it was: the [latitude, longitude] pair is checked per position', async () => {
    const post = (location: unknown) =>
      t.request('POST', '/chargers', { token: adminToken, body: { chargePointID: 2, location, serialNumber: `openapi-${Math.random().toString(36).slice(2, 10)}` } });
    const location = document.paths['/chargers'].post.requestBody.content['application/json'].schema.properties.location;
    expect(location).toMatchObject({ type: 'array', minItems: 2, maxItems: 2, items: false, prefixItems: [{ minimum: -90, maximum: 90 }, { minimum: -180, maximum: 180 }] });
    for (const [bad, code] of [
      [[57, 14, 3], 'invalidCoordinates'], [[57], 'invalidCoordinates'], [[100, 14], 'invalidLatitude'], [[57, 200], 'invalidLongitude'],
      [['57', '14'], 'invalidDataType'], ['57,14', 'invalidCoordinates'],
    ] as const) {
      const response = await post(bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.body.errorCodes, JSON.stringify(bad)).toContain(code);
    }
    expect((await post([57.7815, 14.1562])).status).toBe(201);
  });
});
