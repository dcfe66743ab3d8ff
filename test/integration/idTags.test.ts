import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

describe('RFID cards (/idTags)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let user: { id: number; token: string };
  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  it('is for admins only', async () => {
    expect((await t.request('GET', '/idTags')).status).toBe(401);
    expect((await t.request('GET', '/idTags', { token: user.token })).status).toBe(403);
    expect((await t.request('POST', '/idTags', { token: user.token, body: { idTag: 'X' } })).status).toBe(403);
    expect((await t.request('DELETE', '/idTags/X', { token: user.token })).status).toBe(403);
  });

  it('registers, changes and removes cards, and Authorize follows', async () => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`);
    const authorize = async (idTag: string) => (await charger.call('Authorize', { idTag }))[2].idTagInfo.status;

    const created = await t.request('POST', '/idTags', { token: admin, body: { idTag: 'CARD-7', userID: user.id } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ idTag: 'CARD-7', userID: String(user.id), parentIdTag: null, status: 'Accepted', expiresAt: null });
    expect(await authorize('card-7')).toBe('Accepted');
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'card-7' } })).body.code).toBe('dbUniqueConstraintError');
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'x'.repeat(21) } })).body.code).toBe('invalidIdTag');
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'NOUSER', userID: 999999 } })).body.code).toBe('invalidUserID');

    expect((await t.request('PUT', '/idTags/CARD-7', { token: admin, body: { status: 'Blocked' } })).body.status).toBe('Blocked');
    expect(await authorize('CARD-7')).toBe('Blocked');
    const expired = await t.request('PUT', '/idTags/CARD-7', { token: admin, body: { status: 'Accepted', expiresAt: '2020-01-01T00:00:00Z' } });
    expect(expired.body.expiresAt).toBe('2020-01-01T00:00:00.000Z');
    expect(await authorize('CARD-7')).toBe('Expired');

    expect((await t.request('GET', `/idTags?userID=${user.id}`, { token: admin })).body.map((c: any) => c.idTag)).toEqual(['CARD-7']);
    expect((await t.request('DELETE', '/idTags/CARD-7', { token: admin })).status).toBe(204);
    expect((await t.request('DELETE', '/idTags/CARD-7', { token: admin })).status).toBe(404);
    expect(await authorize('CARD-7')).toBe('Invalid');
    await charger.close();
  });
});
