import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, JWT_SECRET, startTestSystem } from '../support/testSystem.ts';

describe('sign-in and access tokens', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let user: { id: number; email: string; token: string };

  beforeAll(async () => {
    t = await startTestSystem();
    user = await t.createUser('driver@test.flexicharge', 'driver-password-1');
  });
  afterAll(() => t?.close());

  it('signs in with JSON and answers the original shape', async () => {
    const response = await t.request('POST', '/auth/sign-in', { body: { username: 'driver@test.flexicharge', password: 'driver-password-1' } });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['accessToken', 'email', 'expiresIn', 'family_name', 'name', 'refreshToken', 'user_id', 'username']);
    expect(response.body).toMatchObject({ email: 'driver@test.flexicharge', username: 'driver@test.flexicharge', user_id: String(user.id) });
    expect(response.body.accessToken.split('.')).toHaveLength(3);
  });

  it('signs in with a form-urlencoded body and a differently cased e-mail', async () => {
    const response = await t.request('POST', '/auth/sign-in', { form: { username: 'Driver@Test.FlexiCharge', password: 'driver-password-1' } });
    expect(response.status).toBe(200);
    expect(response.body.user_id).toBe(String(user.id));
  });

  it('refuses wrong passwords and unknown accounts with the same JSON 400', async () => {
    const wrong = await t.request('POST', '/auth/sign-in', { body: { username: 'driver@test.flexicharge', password: 'nope' } });
    const unknown = await t.request('POST', '/auth/sign-in', { body: { username: 'nobody@test.flexicharge', password: 'nope' } });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ code: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  });

  it('rejects a sign-in without credentials with a JSON 400', async () => {
    const response = await t.request('POST', '/auth/sign-in', { body: { username: 'driver@test.flexicharge' } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('InvalidParameterException');
  });

  it('admin sign-in accepts admins only', async () => {
    const asAdmin = await t.request('POST', '/admin/sign-in', { body: { username: ADMIN.email, password: ADMIN.password } });
    expect(asAdmin.status).toBe(200);
    const asUser = await t.request('POST', '/admin/sign-in', { body: { username: 'driver@test.flexicharge', password: 'driver-password-1' } });
    expect(asUser.status).toBe(400);
    expect(asUser.body.code).toBe('NotAuthorizedException');
  });

  it('rejects expired, foreign-signed and wrong-audience tokens with 401', async () => {
    const key = new TextEncoder().encode(JWT_SECRET);
    const base = () => new SignJWT({ role: 'admin', email: ADMIN.email, token_use: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject('1');
    const expired = await base().setIssuer('flexicharge').setAudience('flexicharge-api').setIssuedAt(1000).setExpirationTime(2000).sign(key);
    const foreign = await base().setIssuer('flexicharge').setAudience('flexicharge-api').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(48)));
    const wrongAudience = await base().setIssuer('flexicharge').setAudience('someone-else').setExpirationTime('1h').sign(key);
    const body = { chargePointID: 1, location: [57, 14], serialNumber: 'token-check' };
    const expiredResponse = await t.request('POST', '/chargers', { token: expired, body });
    expect(expiredResponse.status).toBe(401);
    expect(expiredResponse.body.message).toBe('jwt expired');
    expect((await t.request('POST', '/chargers', { token: foreign, body })).status).toBe(401);
    expect((await t.request('POST', '/chargers', { token: wrongAudience, body })).status).toBe(401);
    expect((await t.request('POST', '/chargers', { headers: { authorization: 'Basic abc' }, body })).status).toBe(401);
  });

  it('rate-limits sign-in per client address with a JSON 429', async () => {
    const limited = await startTestSystem({ SIGN_IN_RATE_LIMIT: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await limited.request('POST', '/auth/sign-in', { body: { username: 'x@y.z', password: 'wrong' } })).status);
      }
      expect(statuses).toEqual([400, 400, 400, 429]);
      const blocked = await limited.request('POST', '/admin/sign-in', { body: { username: ADMIN.email, password: ADMIN.password } });
      expect(blocked.status).toBe(200);
      const again = await limited.request('POST', '/auth/sign-in', { body: { username: ADMIN.email, password: ADMIN.password } });
      expect(again.status).toBe(429);
      expect(again.body).toMatchObject({ status: 429, code: 'tooManyRequests' });
    } finally {
      await limited.close();
    }
  });
});
