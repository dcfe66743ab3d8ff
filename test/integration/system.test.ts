import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startSystem } from '../../src/system.ts';
import { createTestDatabase, startTestSystem } from '../support/testSystem.ts';

describe('system', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => { t = await startTestSystem(); });
  afterAll(() => t?.close());

  it('reports health with database readiness', async () => {
    const response = await t.request('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('redirects / to the Swagger UI and serves the generated OpenAPI document', async () => {
    const root = await t.request('GET', '/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/swagger');
    const ui = await t.request('GET', '/swagger/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const document = await t.request('GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toMatch(/^3\./);
    for (const path of ['/chargers', '/chargers/{id}', '/chargers/serial/{serialNumber}', '/chargePoints', '/chargePoints/{id}', '/auth/sign-in', '/admin/sign-in', '/health']) {
      expect(document.body.paths, path).toHaveProperty([path]);
    }
    expect(document.body.paths['/chargers'].post.security).toEqual([{ bearerAuth: [] }]);
  });

  it('answers unknown routes, malformed JSON and unsupported bodies with JSON errors', async () => {
    const unknown = await t.request('GET', '/no/such/route');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'notFoundError' });
    const admin = await t.adminToken();
    const malformed = await t.request('POST', '/chargers', { token: admin, rawBody: '{"serialNumber":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: 400, code: 'invalidJson' });
    const malformedSignIn = await t.request('POST', '/auth/sign-in', { rawBody: '{{', headers: { 'content-type': 'application/json' } });
    expect(malformedSignIn.status).toBe(400);
    expect(malformedSignIn.headers.get('access-control-allow-origin')).toBe('*');
    const xml = await t.request('POST', '/auth/sign-in', { rawBody: '<a/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
    expect(xml.body.status).toBe(415);
    const nulByte = await t.request('POST', '/chargePoints', { token: admin, body: { name: 'Nul\u0000name', location: [57, 14] } });
    expect(nulByte.status).toBe(400);
  });

  it('sends CORS headers on responses and answers preflights for Authorization', async () => {
    const response = await t.request('GET', '/chargers');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await t.request('OPTIONS', '/chargers/100001', {
      headers: { origin: 'http://admin.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('reports 503 on /health when the database is gone', async () => {
    const broken = await startTestSystem();
    try {
      await broken.system.database.close();
      const response = await broken.request('GET', '/health');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ status: 'unavailable', database: 'down' });
    } finally {
      await broken.close();
    }
  });
});

describe('restarts and seeding', () => {
  it('reopens an existing database without seeding again and keeps the first admin', async () => {
    const t = await startTestSystem({ ADMIN_PASSWORD: '' });
    try {
      const generated = t.system.initialAdmin?.generatedPassword;
      expect(generated).toMatch(/^[\w-]{12,}$/);
      const signIn = await t.request('POST', '/admin/sign-in', { body: { username: t.env.ADMIN_EMAIL, password: generated } });
      expect(signIn.status).toBe(200);
      const token = signIn.body.accessToken;
      expect((await t.request('DELETE', '/chargers/100005', { token })).status).toBe(204);

      await t.restart();
      expect(t.system.initialAdmin).toBeUndefined();
      expect((await t.request('GET', '/chargers/100005')).status).toBe(404);
      expect((await t.request('GET', '/chargers')).body).toHaveLength(9);
      const again = await t.request('POST', '/admin/sign-in', { body: { username: t.env.ADMIN_EMAIL, password: generated } });
      expect(again.status).toBe(200);
      // Tokens survive a restart: the signing key is kept in the database when none is configured.
      const withoutConfiguredKey = await t.restart({ JWT_SECRET: '' });
      const issued = (await withoutConfiguredKey.request('POST', '/admin/sign-in', { body: { username: t.env.ADMIN_EMAIL, password: generated } })).body.accessToken;
      await t.restart({ JWT_SECRET: '' });
      expect((await t.request('PUT', '/chargers/100001', { token: issued, body: { status: 'Available' } })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("selects the database with the original's USE_LOCAL_DATABASE and DATABASE_* variables", async () => {
    const database = await createTestDatabase();
    const env: Record<string, string> = { USE_LOCAL_DATABASE: '1', DATA_DIR: database.env.DATA_DIR! };
    if (database.env.DATABASE_URL) {
      const url = new URL(database.env.DATABASE_URL);
      Object.assign(env, {
        USE_LOCAL_DATABASE: '0', DATABASE_HOST: url.hostname, DATABASE_PORT: url.port || '5432',
        DATABASE_NAME: url.pathname.slice(1), DATABASE_USERNAME: decodeURIComponent(url.username), DATABASE_PASSWORD: decodeURIComponent(url.password),
      });
    }
    const config = loadConfig(env);
    expect(config.database.kind).toBe(database.env.DATABASE_URL ? 'postgres' : 'embedded');
    const system = await startSystem({ ...config, host: '127.0.0.1', httpPort: 0, ocppPort: 0 }, pino({ level: 'silent' }));
    try {
      const response = await fetch(`${system.httpUrl}/chargers`);
      expect(await response.json()).toHaveLength(10);
    } finally {
      await system.close();
      await database.drop();
    }
  });

  it('starts empty with SEED=0', async () => {
    const t = await startTestSystem({ SEED: '0' });
    try {
      expect((await t.request('GET', '/chargers')).body).toEqual([]);
      expect((await t.request('GET', '/chargePoints')).body).toEqual([]);
      const admin = await t.adminToken();
      const site = await t.request('POST', '/chargePoints', { token: admin, body: { name: 'First', location: [57, 14] } });
      const charger = await t.request('POST', '/chargers', { token: admin, body: { chargePointID: site.body.chargePointID, location: [57, 14], serialNumber: 'first' } });
      expect(charger.body.connectorID).toBe(100000);
    } finally {
      await t.close();
    }
  });
});
