import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/domain/tokens.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { JWT_SECRET, startTestSystem } from '../support/testSystem.ts';

/** Its close, or 'open' when the server has not closed it within `ms`. */
const closedWithin = (socket: RawCharger, ms: number) =>
  Promise.race([socket.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);

describe('live metrics sockets end with their access', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const sockets: RawCharger[] = [];

  const liveSocket = async (userId: number, token: string) => {
    const socket = await RawCharger.connect(`${t.system.ocppUrl}/user/${userId}?token=${token}`, { protocols: [] });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await startTestSystem({ LIVEMETRICS_AUTH_CHECK_INTERVAL: '200' });
    admin = await t.adminToken();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await t?.close();
  });

  it('closes the socket when its token expires', async () => {
    const user = await t.createUser();
    const shortLived = await new AccessTokens(JWT_SECRET, 2).issue({ userId: user.id, role: 'user', email: user.email, tokenVersion: 0 });
    const socket = await liveSocket(user.id, shortLived);
    expect(await closedWithin(socket, 6000)).toEqual({ code: 4401, reason: 'access token expired' });
  });

  it('closes every socket of an account that is disabled, deleted or whose password changes; others stay', async () => {
    const bystander = await t.createUser();
    const untouched = await liveSocket(bystander.id, bystander.token);

    const disabled = await t.createUser();
    const disabledSockets = [await liveSocket(disabled.id, disabled.token), await liveSocket(disabled.id, disabled.token)];
    expect((await t.request('PUT', `/admin/users/${disabled.email}/disable`, { token: admin })).status).toBe(200);

    const deleted = await t.createUser();
    const deletedSocket = await liveSocket(deleted.id, deleted.token);
    expect((await t.request('DELETE', '/auth/delete-user', { token: deleted.token })).status).toBeLessThan(300);

    const changed = await t.createUser();
    const changedSocket = await liveSocket(changed.id, changed.token);
    expect((await t.request('POST', '/auth/change-password', { token: changed.token, body: { previousPassword: 'user-password-1', newPassword: 'new-password-2' } })).status).toBe(200);

    for (const socket of [...disabledSockets, deletedSocket, changedSocket]) {
      expect(await closedWithin(socket, 5000)).toEqual({ code: 4401, reason: 'account disabled or signed out' });
    }
    expect(await closedWithin(untouched, 500)).toBe('open');
  });
});
