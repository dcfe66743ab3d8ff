import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpInbox } from '../support/smtpInbox.ts';
import { ADMIN, startTestSystem } from '../support/testSystem.ts';

describe('end-user account flows (/auth)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    t = await startTestSystem({ SMTP_URL: inbox.url });
  });
  afterAll(async () => {
    await t?.close();
    await inbox?.close();
  });

  const signIn = (username: string, password: string) => t.request('POST', '/auth/sign-in', { body: { username, password } });

  it('signs up, verifies with the e-mailed code and signs in', async () => {
    const email = 'new.driver@example.test';
    const up = await t.request('POST', '/auth/sign-up', { body: { username: email, password: 'charge-me-1', confirmPassword: 'charge-me-1' } });
    expect(up.status).toBe(200);
    const unverified = await signIn(email, 'charge-me-1');
    expect(unverified.status).toBe(400);
    expect(unverified.body).toMatchObject({ code: 'UserNotConfirmedException', message: 'User is not confirmed.' });
    const wrong = await t.request('POST', '/auth/verify', { body: { username: email, code: '000000' } });
    expect(wrong.body.code).toBe('CodeMismatchException');
    const verified = await t.request('POST', '/auth/verify', { body: { username: email, code: await inbox.codeFor(email) } });
    expect(verified.status).toBe(200);
    const signedIn = await signIn(email, 'charge-me-1');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ email, username: email, user_id: expect.any(String) });
  });

  it('enforces the password policy with a message and refuses bad input as JSON', async () => {
    const weak = await t.request('POST', '/auth/sign-up', { body: { username: 'weak@example.test', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('InvalidPasswordException');
    expect(weak.body.message).toMatch(/^Password did not conform with policy: /);
    expect((await t.request('POST', '/auth/sign-up', { body: { username: 'not-an-email', password: 'charge-me-1' } })).body.code).toBe('InvalidParameterException');
  });

  it('answers sign-up of an existing address the same way, and mails the owner instead', async () => {
    const before = inbox.received.length;
    const again = await t.request('POST', '/auth/sign-up', { body: { username: 'new.driver@example.test', password: 'another-pass-2' } });
    expect(again.status).toBe(200);
    for (let i = 0; i < 100 && inbox.received.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(inbox.received.at(-1)!.raw).toContain('already has a FlexiCharge account');
  });

  it('expires codes and limits attempts', async () => {
    const email = 'slow@example.test';
    await t.request('POST', '/auth/sign-up', { body: { username: email, password: 'charge-me-1' } });
    const code = await inbox.codeFor(email);
    for (let i = 0; i < 5; i++) await t.request('POST', '/auth/verify', { body: { username: email, code: '999999' } });
    expect((await t.request('POST', '/auth/verify', { body: { username: email, code } })).body.code).toBe('LimitExceededException');
    await t.request('POST', '/auth/sign-up', { body: { username: email, password: 'charge-me-1' } });
    const fresh = await inbox.codeFor(email);
    expect(fresh).not.toBeUndefined();
    await t.system.database.db.updateTable('account_codes').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    expect((await t.request('POST', '/auth/verify', { body: { username: email, code: fresh } })).body.code).toBe('ExpiredCodeException');
  });

  it('resets a forgotten password by e-mailed code, without telling whether the account exists', async () => {
    const email = 'new.driver@example.test';
    const known = await t.request('POST', `/auth/forgot-password/${email}`, { body: { username: email } });
    const unknown = await t.request('POST', '/auth/forgot-password/nobody@example.test');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(known.body.data.CodeDeliveryDetails).toEqual({ Destination: 'n***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const code = await inbox.codeFor(email);
    const confirmed = await t.request('POST', '/auth/confirm-forgot-password', { body: { username: email, password: 'new-secret-9', confirmPassword: 'new-secret-9', confirmationCode: code } });
    expect(confirmed.status).toBe(200);
    expect((await signIn(email, 'charge-me-1')).status).toBe(400);
    expect((await signIn(email, 'new-secret-9')).status).toBe(200);
    const reused = await t.request('POST', '/auth/confirm-forgot-password', { body: { username: email, password: 'other-secret-9', confirmationCode: code } });
    expect(reused.body.code).toBe('CodeMismatchException');
  });

  it('changes the password with the access token in the body (My Pages) and revokes older tokens', async () => {
    const email = 'new.driver@example.test';
    const { accessToken } = (await signIn(email, 'new-secret-9')).body;
    const changed = await t.request('POST', '/auth/change-password', { body: { accessToken, previousPassword: 'new-secret-9', newPassword: 'newer-secret-8', confirmPassword: 'newer-secret-8' } });
    expect(changed.status).toBe(200);
    expect((await t.request('GET', '/auth/user-information', { token: accessToken })).status).toBe(401);
    const wrongPrevious = await t.request('POST', '/auth/change-password', { token: (await signIn(email, 'newer-secret-8')).body.accessToken, body: { previousPassword: 'nope', newPassword: 'x-secret-12' } });
    expect(wrongPrevious.body.code).toBe('NotAuthorizedException');
  });

  it('reads and writes the profile', async () => {
    const { accessToken } = (await signIn('new.driver@example.test', 'newer-secret-8')).body;
    const profile = { firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '+46701234567', streetAddress: 'Gjuterigatan 5', zipCode: '55318', city: 'Jönköping', country: 'Sweden' };
    const put = await t.request('PUT', '/auth/user-information', { token: accessToken, body: profile });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ username: 'new.driver@example.test', ...profile });
    expect((await t.request('GET', '/auth/user-information', { token: accessToken })).body).toEqual(put.body);
    expect((await signIn('new.driver@example.test', 'newer-secret-8')).body).toMatchObject({ name: 'Ada', family_name: 'Lovelace' });
  });

  it('rotates refresh tokens', async () => {
    const { refreshToken } = (await signIn('new.driver@example.test', 'newer-secret-8')).body;
    const refreshed = await t.request('POST', '/auth/refresh', { body: { refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await t.request('GET', '/auth/user-information', { token: refreshed.body.accessToken })).status).toBe(200);
    expect((await t.request('POST', '/auth/refresh', { body: { refreshToken } })).body.code).toBe('NotAuthorizedException');
  });

  it('deletes the own account: personal data gone, sessions kept, tokens dead', async () => {
    const email = 'leaving@example.test';
    await t.request('POST', '/auth/sign-up', { body: { username: email, password: 'charge-me-1' } });
    await t.request('POST', '/auth/verify', { body: { username: email, code: await inbox.codeFor(email) } });
    const { accessToken, user_id } = (await signIn(email, 'charge-me-1')).body;
    const userId = Number(user_id);
    await t.system.database.db.insertInto('charging_sessions').values({ user_id: userId, status: 'Completed', energy_wh: 1000 }).execute();
    expect((await t.request('DELETE', '/auth/delete-user', { token: accessToken })).status).toBe(200);
    expect((await t.request('GET', '/auth/user-information', { token: accessToken })).status).toBe(401);
    expect((await signIn(email, 'charge-me-1')).status).toBe(400);
    const row = await t.system.database.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ first_name: '', enabled: false });
    expect(row.email).not.toContain('leaving');
    expect(await t.system.database.db.selectFrom('charging_sessions').select('id').where('user_id', '=', userId).execute()).toHaveLength(1);
  });
});

describe('admin account management (/admin)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  let admin: string;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    t = await startTestSystem({ SMTP_URL: inbox.url });
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
    await inbox?.close();
  });

  it('creates a user with a temporary password; the first sign-in answers 400 with a Session, then force-change-password signs in', async () => {
    const created = await t.request('POST', '/admin/users', { token: admin, body: { username: 'fleet@example.test', password: 'temp-pass-1', name: 'Fleet', family_name: 'Manager' } });
    expect(created.status).toBe(201);
    expect(created.body.User).toMatchObject({ Username: 'fleet@example.test', Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD' });
    for (let i = 0; i < 100 && !inbox.received.some((m) => m.to === 'fleet@example.test'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(inbox.received.find((m) => m.to === 'fleet@example.test')!.raw).toContain('temp-pass-1');

    const challenged = await t.request('POST', '/auth/sign-in', { body: { username: 'fleet@example.test', password: 'temp-pass-1' } });
    expect(challenged.status).toBe(400);
    expect(challenged.body).toMatchObject({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: expect.any(String) });
    const badSession = await t.request('POST', '/auth/force-change-password', { body: { username: 'fleet@example.test', password: 'own-pass-77', session: 'x' } });
    expect(badSession.status).toBe(400);
    const done = await t.request('POST', '/auth/force-change-password', { body: { username: 'fleet@example.test', password: 'own-pass-77', session: challenged.body.Session } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ email: 'fleet@example.test', name: 'Fleet', family_name: 'Manager' });
    expect((await t.request('POST', '/auth/sign-in', { body: { username: 'fleet@example.test', password: 'own-pass-77' } })).status).toBe(200);
  });

  it('lists (paged), gets, updates, disables, enables and deletes users in the shapes the GUI reads', async () => {
    for (let i = 0; i < 3; i++) await t.request('POST', '/admin/users', { token: admin, body: { username: `page${i}@example.test`, password: 'temp-pass-1' } });
    const first = await t.request('GET', '/admin/users?limit=2', { token: admin });
    expect(first.body.Users).toHaveLength(2);
    expect(first.body.NextToken).toEqual(expect.any(String));
    const second = await t.request('GET', `/admin/users?limit=60&pagination_token=${first.body.NextToken}`, { token: admin });
    expect(second.body.NextToken).toBeUndefined();
    const all = [...first.body.Users, ...second.body.Users].map((u: any) => u.Username);
    expect(all).toEqual(expect.arrayContaining(['fleet@example.test', 'page0@example.test', 'page2@example.test']));
    expect(all).not.toContain(ADMIN.email);
    expect(first.body.Users[0].Attributes).toContainEqual({ Name: 'email', Value: first.body.Users[0].Username });

    const one = await t.request('GET', '/admin/users/fleet@example.test', { token: admin });
    expect(one.body).toMatchObject({ username: 'fleet@example.test', firstName: 'Fleet', userId: expect.any(String) });
    expect((await t.request('GET', `/admin/users/${one.body.userId}`, { token: admin })).body.username).toBe('fleet@example.test');

    const updated = await t.request('PUT', '/admin/users/fleet@example.test', { token: admin, body: { userAttributes: [{ Name: 'name', Value: 'Fleetwood' }, { Name: 'custom:city', Value: 'Nässjö' }] } });
    expect(updated.status).toBe(200);
    expect(updated.body.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'name', Value: 'Fleetwood' }, { Name: 'custom:city', Value: 'Nässjö' }]));
    expect((await t.request('PUT', '/admin/users/fleet@example.test', { token: admin, body: { userAttributes: [{ Name: 'shoe_size', Value: '44' }] } })).status).toBe(400);

    const userToken = (await t.request('POST', '/auth/sign-in', { body: { username: 'fleet@example.test', password: 'own-pass-77' } })).body.accessToken;
    expect((await t.request('PUT', '/admin/users/fleet@example.test/disable', { token: admin })).status).toBe(200);
    expect((await t.request('GET', '/auth/user-information', { token: userToken })).status).toBe(401);
    expect((await t.request('POST', '/auth/sign-in', { body: { username: 'fleet@example.test', password: 'own-pass-77' } })).body.message).toBe('User is disabled.');
    expect((await t.request('PUT', '/admin/users/fleet@example.test/enable', { token: admin })).status).toBe(200);
    expect((await t.request('POST', '/auth/sign-in', { body: { username: 'fleet@example.test', password: 'own-pass-77' } })).status).toBe(200);

    expect((await t.request('DELETE', '/admin/users/page0@example.test', { token: admin })).status).toBe(200);
    expect((await t.request('GET', '/admin/users/page0@example.test', { token: admin })).status).toBe(404);
    expect((await t.request('POST', '/admin/users', { token: admin, body: { username: 'page1@example.test' } })).body.code).toBe('UsernameExistsException');
  });

  it('sets and resets passwords', async () => {
    const set = await t.request('POST', '/admin/set-user-password', { token: admin, body: { username: 'page1@example.test', password: 'permanent-1' } });
    expect(set.status).toBe(200);
    expect((await t.request('POST', '/auth/sign-in', { body: { username: 'page1@example.test', password: 'permanent-1' } })).status).toBe(200);
    expect((await t.request('POST', '/admin/reset-user-password/page1@example.test', { token: admin })).status).toBe(200);
    const blocked = await t.request('POST', '/auth/sign-in', { body: { username: 'page1@example.test', password: 'permanent-1' } });
    expect(blocked.body.code).toBe('PasswordResetRequiredException');
    const code = await inbox.codeFor('page1@example.test');
    await t.request('POST', '/auth/confirm-forgot-password', { body: { username: 'page1@example.test', password: 'after-reset-3', confirmationCode: code } });
    expect((await t.request('POST', '/auth/sign-in', { body: { username: 'page1@example.test', password: 'after-reset-3' } })).status).toBe(200);
  });

  it('manages admins and never removes the last one', async () => {
    const me = (await t.request('GET', '/admin', { token: admin })).body.Users;
    expect(me.map((u: any) => u.Username)).toEqual([ADMIN.email]);
    expect((await t.request('PUT', `/admin/${ADMIN.email}/disable`, { token: admin })).body.code).toBe('LastAdminException');
    expect((await t.request('DELETE', `/admin/${ADMIN.email}`, { token: admin })).status).toBe(409);
    const created = await t.request('POST', '/admin', { token: admin, body: { username: 'second.admin@example.test', password: 'temp-pass-1' } });
    expect(created.status).toBe(201);
    const detail = await t.request('GET', '/admin/second.admin@example.test', { token: admin });
    expect(detail.body).toMatchObject({ Username: 'second.admin@example.test', UserStatus: 'FORCE_CHANGE_PASSWORD', UserAttributes: expect.any(Array) });
    expect((await t.request('GET', '/admin/fleet@example.test', { token: admin })).status).toBe(404);
    await t.request('POST', '/admin/set-admin-password', { token: admin, body: { username: 'second.admin@example.test', password: 'admin-pass-2' } });
    expect((await t.request('POST', '/admin/sign-in', { body: { username: 'second.admin@example.test', password: 'admin-pass-2' } })).status).toBe(200);
    expect((await t.request('DELETE', '/admin/second.admin@example.test', { token: admin })).status).toBe(200);
  });

  it("manages a user's RFID cards", async () => {
    const added = await t.request('POST', '/admin/users/fleet@example.test/idTags', { token: admin, body: { idTag: 'FLEET-01' } });
    expect(added.status).toBe(201);
    expect((await t.request('GET', '/admin/users/fleet@example.test/idTags', { token: admin })).body).toEqual([{ idTag: 'FLEET-01', status: 'Accepted', expiresAt: null }]);
    expect((await t.request('DELETE', '/admin/users/page1@example.test/idTags/FLEET-01', { token: admin })).status).toBe(404);
    expect((await t.request('DELETE', '/admin/users/fleet@example.test/idTags/FLEET-01', { token: admin })).status).toBe(204);
  });
});

describe('e-mail without a mail server', () => {
  it('writes each message to DATA_DIR/outbox as an .eml file', async () => {
    const t = await startTestSystem();
    try {
      await t.request('POST', '/auth/sign-up', { body: { username: 'offline@example.test', password: 'charge-me-1' } });
      const outbox = path.join(t.env.DATA_DIR!, 'outbox');
      const files = await fs.readdir(outbox);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const message = await fs.readFile(path.join(outbox, files[0]!), 'utf8');
      expect(message).toContain('To: offline@example.test');
      const code = /code is (\d{6})/.exec(message)![1]!;
      expect((await t.request('POST', '/auth/verify', { body: { username: 'offline@example.test', code } })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
