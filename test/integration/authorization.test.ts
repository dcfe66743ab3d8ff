import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem } from '../support/testSystem.ts';

/** Every route that needs a token, and whether it needs an admin. */
const PROTECTED: [method: string, url: string, admin: boolean][] = [
  ['GET', '/chargers/pending', true],
  ['POST', '/chargers', true],
  ['PUT', '/chargers/100001', true],
  ['DELETE', '/chargers/100001', true],
  ['POST', '/chargePoints', true],
  ['PUT', '/chargePoints/1', true],
  ['DELETE', '/chargePoints/1', true],
  ['POST', '/transaction', false],
  ['PUT', '/transaction/start/1', false],
  ['GET', '/transaction/1', false],
  ['PUT', '/transaction/stop/1', false],
  ['POST', '/transaction/1/refund', true],
  ['GET', '/transaction/userTransactions/1', false],
  ['GET', '/transaction/chargerTransactions/100001', false],
  ['POST', '/transactions', false],
  ['POST', '/transactions/session', false],
  ['PUT', '/transactions/start/1', false],
  ['PUT', '/transactions/stop/1', false],
  ['GET', '/transactions/1', false],
  ['GET', '/transactions/userTransactions/1', false],
  ['GET', '/transactions/chargerTransactions/100001', false],
  ['PUT', '/transactions/payment/1', false],
  ['PUT', '/transactions/meter/1', true],
  ['POST', '/reservations', false],
  ['GET', '/reservations', false],
  ['GET', '/reservations/1', false],
  ['DELETE', '/reservations/1', false],
  ['GET', '/idTags', true],
  ['POST', '/idTags', true],
  ['PUT', '/idTags/X', true],
  ['DELETE', '/idTags/X', true],
  ['GET', '/tests/ocpp', true],
  ['PUT', '/tariffs', true],
  ['GET', '/invoices', false],
  ['GET', '/invoices/1', false],
  ['POST', '/invoices/generate', true],
  ['POST', '/invoice-setup', false],
  ['PUT', '/invoices/1/status', true],
  ['POST', '/tariffs/import', true],
  ['DELETE', '/tariffs?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z', true],
  ['GET', '/auth/user-information', false],
  ['PUT', '/auth/user-information', false],
  ['POST', '/auth/delete-user', false],
  ['DELETE', '/auth/delete-user', false],
  ['GET', '/admin/users', true],
  ['POST', '/admin/users', true],
  ['GET', '/admin/users/someone@example.test', true],
  ['PUT', '/admin/users/someone@example.test', true],
  ['DELETE', '/admin/users/someone@example.test', true],
  ['PUT', '/admin/users/someone@example.test/enable', true],
  ['PUT', '/admin/users/someone@example.test/disable', true],
  ['GET', '/admin/users/someone@example.test/idTags', true],
  ['POST', '/admin/users/someone@example.test/idTags', true],
  ['DELETE', '/admin/users/someone@example.test/idTags/X', true],
  ['POST', '/admin/set-user-password', true],
  ['POST', '/admin/reset-user-password/someone@example.test', true],
  ['GET', '/admin', true],
  ['POST', '/admin', true],
  ['GET', '/admin/someone@example.test', true],
  ['PUT', '/admin/someone@example.test', true],
  ['DELETE', '/admin/someone@example.test', true],
  ['PUT', '/admin/someone@example.test/enable', true],
  ['PUT', '/admin/someone@example.test/disable', true],
  ['POST', '/admin/set-admin-password', true],
];

const PUBLIC = ['/tariffs', '/chargers', '/chargers/available', '/chargers/100001', '/chargers/serial/abc111', '/chargePoints', '/chargePoints/1', '/health'];

describe('authorization of every route', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let user: string;
  beforeAll(async () => {
    t = await startTestSystem();
    user = (await t.createUser()).token;
  });
  afterAll(() => t?.close());

  it.each(PROTECTED)('%s %s without a token → 401 with a JSON body', async (method, url) => {
    const response = await t.inject(method, url, { body: method === 'GET' ? undefined : {} });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'unauthorizedError' });
  });

  it.each(PROTECTED.filter(([, , admin]) => admin))('%s %s as a user → 403', async (method, url) => {
    const response = await t.inject(method, url, { token: user, body: method === 'GET' ? undefined : {} });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('forbiddenError');
  });

  it.each(PUBLIC)('GET %s is public, even with a stale token', async (url) => {
    expect((await t.inject('GET', url)).status).toBe(200);
    expect((await t.inject('GET', url, { token: 'stale.token.value' })).status).toBe(200);
  });
});
