import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BOOT, RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';


describe('OCPP endpoint and admission', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let ocpp: string;
  beforeAll(async () => {
    t = await startTestSystem({ OCPP_PING_INTERVAL: '1' });
    admin = await t.adminToken();
    ocpp = t.system.ocppUrl;
  });
  afterAll(() => t?.close());

  const charger = async (id: number) => (await t.request('GET', `/chargers/${id}`)).body;

  it('refuses an unknown identity with HTTP 404 on the upgrade', async () => {
    await expect(RawCharger.connect(`${ocpp}/charger/not-a-charger`)).rejects.toThrow('HTTP 404');
    await expect(RawCharger.connect(`${ocpp}/`)).rejects.toThrow('HTTP 404');
  });

  it('takes the identity from the last path segment under any prefix, percent-decoded, and echoes ocpp1.6', async () => {
    await t.request('POST', '/chargers', { token: admin, body: { chargePointID: 1, location: [57.7, 14.07], serialNumber: 'CP 01/ä' } });
    for (const path of ['/charger/abc111', '/connector/abc111', '/some/deep/prefix/abc111', `/charger/${encodeURIComponent('CP 01/ä')}`]) {
      const peer = await RawCharger.connect(`${ocpp}${path}`);
      expect(peer.socket.protocol).toBe('ocpp1.6');
      const answer = await peer.call('Heartbeat', {});
      expect(answer[0]).toBe(3);
      await peer.close();
    }
  });

  it('serves a client that offers no subprotocol, in the FlexiCharge dialect', async () => {
    const peer = await RawCharger.connect(`${ocpp}/charger/abc112`, { protocols: [] });
    expect(peer.socket.protocol).toBe('');
    const command = t.system.gateway.send(100002, 'RemoteStopTransaction', { transactionId: 7 }, { subsystem: 'operator' });
    const call = await peer.nextCall('RemoteStopTransaction');
    expect(call[3]).toMatchObject({ transactionID: 7, transactionId: 7 });
    peer.send([3, call[1], 'RemoteStopTransaction', { status: 'Rejected' }]);
    await expect(command).resolves.toEqual({ status: 'Rejected' });
    await peer.close();
  });

  it('completes the handshake without a subprotocol for a client that offers only others (which then gives up)', async () => {
    const socket = new WebSocket(`${ocpp}/charger/abc113`, ['ocpp2.0.1']);
    const error = await new Promise<Error>((resolve) => socket.on('error', resolve));
    expect(error.message).toBe('Server sent no subprotocol');
    expect(await t.system.gateway.isConnected(100003)).toBe(false);
  });

  it('requires HTTP Basic Auth (user = identity) for a charger with a password', async () => {
    const password = 'correct-horse-battery';
    const set = await t.request('PUT', '/chargers/100004', { token: admin, body: { password } });
    expect(set.status).toBe(200);
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    await expect(RawCharger.connect(`${ocpp}/charger/abc114`)).rejects.toThrow('HTTP 401');
    await expect(RawCharger.connect(`${ocpp}/charger/abc114`, { headers: basic('abc114', 'wrong-password-123') })).rejects.toThrow('HTTP 401');
    await expect(RawCharger.connect(`${ocpp}/charger/abc114`, { headers: basic('abc115', password) })).rejects.toThrow('HTTP 401');
    for (let i = 0; i < 2; i++) {
      const peer = await RawCharger.connect(`${ocpp}/charger/abc114`, { headers: basic('abc114', password) });
      expect((await peer.call('Heartbeat', {}))[0]).toBe(3);
      await peer.close();
    }
    expect((await t.request('PUT', '/chargers/100004', { token: admin, body: { password: 'short' } })).body.code).toBe('invalidPassword');
    await t.request('PUT', '/chargers/100004', { token: admin, body: { password: null } });
    const open = await RawCharger.connect(`${ocpp}/charger/abc114`);
    await open.close();
  });

  it('shows online state and last-seen in GET /chargers', async () => {
    expect((await charger(100005)).online).toBe(false);
    const peer = await RawCharger.connect(`${ocpp}/charger/abc115`);
    await until(async () => (await charger(100005)).online === true);
    expect(Date.parse((await charger(100005)).lastSeen)).toBeGreaterThan(Date.now() - 60_000);
    await peer.close();
    await until(async () => (await charger(100005)).online === false);
  });

  it('replaces an older connection of the same charger cleanly', async () => {
    const first = await RawCharger.connect(`${ocpp}/charger/abc116`);
    const pending = t.system.gateway.send(100006, 'ClearCache', {}, { subsystem: 'operator' }).catch((error: unknown) => error);
    await first.nextCall('ClearCache');
    const second = await RawCharger.connect(`${ocpp}/charger/abc116`);
    expect((await first.closed).code).toBe(1000);
    expect(await pending).toMatchObject({ codes: ['chargerOffline'] });
    expect((await second.call('Heartbeat', {}))[0]).toBe(3);
    const command = t.system.gateway.send(100006, 'ClearCache', {}, { subsystem: 'operator' });
    const call = await second.nextCall('ClearCache');
    second.send([3, call[1], { status: 'Accepted' }]);
    await expect(command).resolves.toEqual({ status: 'Accepted' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await charger(100006)).online).toBe(true);
    await second.close();
  });

  it('drops a peer that stops answering pings within two ping intervals', async () => {
    const silent = await RawCharger.connect(`${ocpp}/charger/abc117`, { autoPong: false });
    await until(async () => (await charger(100007)).online === true);
    const closed = await silent.closed;
    expect(closed.code).toBe(1006);
    await until(async () => (await charger(100007)).online === false);
    expect(await t.system.gateway.isConnected(100007)).toBe(false);
  });

  it('keeps a charger that answers pings even when it sends nothing', async () => {
    const quiet = await RawCharger.connect(`${ocpp}/charger/abc118`);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await t.system.gateway.isConnected(100008)).toBe(true);
    await quiet.close();
  });

  it('lets an accepted charger work after a reconnect without a new BootNotification', async () => {
    const peer = await RawCharger.connect(`${ocpp}/charger/abc119`);
    const status = await peer.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    expect(status).toEqual([3, status[1], {}]);
    expect((await charger(100009)).status).toBe('Preparing');
    await peer.close();
    await until(async () => (await charger(100009)).status === 'Unavailable');
    const again = await RawCharger.connect(`${ocpp}/charger/abc119`);
    await until(async () => (await charger(100009)).status === 'Preparing');
    await again.close();
  });

  it('answers a Pending or Rejected registration, and SecurityError for anything but BootNotification', async () => {
    await t.request('PUT', '/chargers/100001', { token: admin, body: { registrationStatus: 'Pending' } });
    const peer = await RawCharger.connect(`${ocpp}/charger/abc111`);
    const heartbeat = await peer.call('Heartbeat', {});
    expect(heartbeat.slice(0, 3)).toEqual([4, heartbeat[1], 'SecurityError']);
    const boot = await peer.call('BootNotification', BOOT);
    expect(boot[2]).toMatchObject({ status: 'Pending', interval: 300 });
    expect(typeof boot[2].currentTime).toBe('string');
    await peer.close();
    await t.request('PUT', '/chargers/100001', { token: admin, body: { registrationStatus: 'Rejected' } });
    const rejected = await RawCharger.connect(`${ocpp}/charger/abc111`);
    expect((await rejected.call('BootNotification', BOOT))[2].status).toBe('Rejected');
    await rejected.close();
    await t.request('PUT', '/chargers/100001', { token: admin, body: { registrationStatus: 'Accepted' } });
    const accepted = await RawCharger.connect(`${ocpp}/charger/abc111`);
    expect((await accepted.call('BootNotification', BOOT))[2].status).toBe('Accepted');
    expect((await accepted.call('Heartbeat', {}))[0]).toBe(3);
    await accepted.close();
  });
});

describe('OCPP auto-registration', () => {
  it('admits an unknown charger as Pending when OCPP_AUTO_REGISTER=1, until an admin accepts it', async () => {
    const t = await startTestSystem({ OCPP_AUTO_REGISTER: '1' });
    try {
      const peer = await RawCharger.connect(`${t.system.ocppUrl}/charger/NEW-CP-77`);
      expect((await peer.call('BootNotification', BOOT))[2].status).toBe('Pending');
      expect((await peer.call('Heartbeat', {}))[2]).toBe('SecurityError');
      expect((await t.request('GET', '/chargers/serial/NEW-CP-77')).status).toBe(404);
      const admin = await t.adminToken();
      const pending = (await t.request('GET', '/chargers/pending', { token: admin })).body;
      expect(pending).toEqual([expect.objectContaining({ serialNumber: 'NEW-CP-77', registrationStatus: 'Pending', vendor: 'Acme', online: true })]);
      const id = pending[0].connectorID;
      expect((await t.request('PUT', `/chargers/${id}`, { token: admin, body: { registrationStatus: 'Accepted' } })).body.code).toBe('invalidChargePointID');
      const placed = await t.request('PUT', `/chargers/${id}`, { token: admin, body: { registrationStatus: 'Accepted', chargePointID: 2 } });
      expect(placed.status).toBe(200);
      expect(placed.body).toMatchObject({ connectorID: id, chargePointID: 2, location: [57.777714, 14.16301] });
      expect((await peer.call('BootNotification', BOOT))[2].status).toBe('Accepted');
      expect((await peer.call('Heartbeat', {}))[0]).toBe(3);
      await peer.close();
      expect((await t.request('GET', '/chargers/pending', { token: admin })).body).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
