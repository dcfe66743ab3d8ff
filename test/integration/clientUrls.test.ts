import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem } from '../support/testSystem.ts';

/** URLs as the original clients and the original backend's own API tests wrote them. */
describe('the URLs clients write', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let user: { id: number; email: string; token: string };

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  it('answers every route the same with and without a trailing slash', async () => {
    for (const path of ['/chargers', '/chargers/available', '/chargers/100001', '/chargers/serial/abc111', '/chargePoints', '/chargePoints/1', '/tariffs']) {
      const plain = await t.request('GET', path);
      const slashed = await t.request('GET', `${path}/`);
      expect(plain.status, path).toBe(200);
      expect([slashed.status, slashed.body], `${path}/`).toEqual([plain.status, plain.body]);
    }
    const signIn = await t.request('POST', '/auth/sign-in/', { body: { username: user.email, password: 'user-password-1' } });
    expect(signIn.status).toBe(200);
    expect(typeof signIn.body.accessToken).toBe('string');
    const created = await t.request('POST', '/chargers/', { token: admin, body: { chargePointID: 1, location: [57.78, 14.16], serialNumber: 'slashed-charger' } });
    expect(created.status).toBe(201);
    expect((await t.request('DELETE', `/chargers/${created.body.connectorID}/`, { token: admin })).status).toBe(204);
    // The charger is offline: the same refusal either way, not a missing route.
    const plainSession = await t.request('POST', '/transactions', { token: user.token, body: { connectorID: 100001 } });
    const slashedSession = await t.request('POST', '/transactions/', { token: user.token, body: { connectorID: 100001 } });
    expect(plainSession.status).toBe(409);
    expect([slashedSession.status, slashedSession.body.code]).toEqual([plainSession.status, plainSession.body.code]);
    expect((await t.request('GET', `/transaction/userTransactions/${user.id}/`, { token: user.token })).status).toBe(200);
  });

  it('answers a doubled slash with a clear JSON 404', async () => {
    for (const path of ['//chargers', '/chargers//100001', '//chargePoints/']) {
      const answer = await t.request('GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toMatchObject({ status: 404, code: 'notFoundError' });
    }
  });
});
