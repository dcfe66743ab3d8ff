import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestCa, type Pem, type TestCa } from '../support/certificates.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const PROFILE2 = { id: 100001, identity: 'abc111', password: 'profile-two-password-1' };
const PROFILE3 = { id: 100002, identity: 'abc112' };
const ROTATING = { id: 100003, identity: 'abc113', password: 'profile-one-password-1' };
const REFUSING = { id: 100004, identity: 'abc114', password: 'profile-one-password-2' };
const DAY = 86_400_000;

interface UpgradeOptions {
  password?: string;
  client?: Pem;
  ca?: string;
}

/** The HTTP status an upgrade gets: 101 when the WebSocket opens (it is closed again), else the refusal's. */
function upgradeStatus(url: string, identity: string, { password, client, ca }: UpgradeOptions = {}): Promise<number> {
  const headers: Record<string, string> = password ? { authorization: `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}` } : {};
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}/charger/${identity}`, ['ocpp1.6'], { headers, ca, cert: client?.cert, key: client?.key });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

/** The message of an upgrade's refusal (its JSON body). */
function refusal(url: string, identity: string, { password, client, ca }: UpgradeOptions = {}): Promise<string> {
  const headers: Record<string, string> = password ? { authorization: `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}` } : {};
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}/charger/${identity}`, ['ocpp1.6'], { headers, ca, cert: client?.cert, key: client?.key });
    socket.on('open', () => reject(new Error('admitted')));
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve((JSON.parse(body) as { message: string }).message));
    });
    socket.on('error', reject);
  });
}

/** The certificate a new TLS connection to `port` is served. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

function httpsGet(url: string, options: https.RequestOptions): Promise<{ status: number; body: string; cipher: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, options, (response) => {
      const socket = response.socket as tls.TLSSocket;
      const cipher = socket.getCipher().name;
      const protocol = socket.getProtocol();
      let body = '';
      response.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, body, cipher, protocol }));
    });
    request.on('error', reject);
  });
}

describe('OCPP security profiles 2 and 3 (wss://, client certificates) and password rotation', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let dir: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let wss: string;
  const clients: RPCClient[] = [];

  const put = (id: number, body: object) => t.request('PUT', `/chargers/${id}`, { token: admin, body });

  /** A standard (strict) charger over `url` that answers ChangeConfiguration with `answer`. */
  async function strictCharger(url: string, identity: string, options: { password?: string; client?: Pem; answer?: string; seen?: object[] } = {}) {
    const client = new RPCClient({
      endpoint: `${url}/charger`, identity, password: options.password, protocols: ['ocpp1.6'], strictMode: true, reconnect: false,
      wsOpts: { ca: ca.cert, cert: options.client?.cert, key: options.client?.key },
    } as never);
    client.handle('ChangeConfiguration', async ({ params }) => {
      options.seen?.push(params as object);
      return { status: options.answer ?? 'Accepted' };
    });
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-tls-'));
    ca = await createTestCa();
    otherCa = await createTestCa('Another CA');
    const server = await ca.issue({ cn: 'localhost', server: true, san: ['localhost', '127.0.0.1'] });
    await fs.writeFile(path.join(dir, 'server.pem'), server.cert);
    await fs.writeFile(path.join(dir, 'server.key'), server.key);
    await fs.writeFile(path.join(dir, 'chargers-ca.pem'), ca.cert);
    t = await startTestSystem({
      TLS_CERT_FILE: path.join(dir, 'server.pem'), TLS_KEY_FILE: path.join(dir, 'server.key'), TLS_CLIENT_CA_FILE: path.join(dir, 'chargers-ca.pem'),
      OCPP_TLS_PORT: '0', HTTPS_PORT: '0', TLS_RELOAD_INTERVAL: '1',
    });
    admin = await t.adminToken();
    wss = t.system.ocppTlsUrl!;
    await t.system.database.db.updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [PROFILE2.id, PROFILE3.id, ROTATING.id, REFUSING.id]).execute();
    expect((await put(PROFILE2.id, { password: PROFILE2.password, securityProfile: 2 })).status).toBe(200);
    expect((await put(PROFILE3.id, { securityProfile: 3 })).status).toBe(200);
    expect((await put(ROTATING.id, { password: ROTATING.password, securityProfile: 1 })).status).toBe(200);
    expect((await put(REFUSING.id, { password: REFUSING.password, securityProfile: 1 })).status).toBe(200);
  });
  afterAll(async () => {
    for (const client of clients) await client.close({ force: true }).catch(() => undefined);
    await t?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('boots a profile-2 charger (ocpp-rpc, strict) over wss:// with Basic Auth', async () => {
    expect(wss).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const client = await strictCharger(wss, PROFILE2.identity, { password: PROFILE2.password });
    const boot = await client.call('BootNotification', { chargePointVendor: 'Secure', chargePointModel: 'P2' }) as { status: string };
    expect(boot.status).toBe('Accepted');
    await client.close();
  });

  it('refuses a profile-2 charger on the plain port, and over wss:// without or with a wrong password', async () => {
    expect(await upgradeStatus(t.system.ocppUrl, PROFILE2.identity, { password: PROFILE2.password })).toBe(403);
    expect(await upgradeStatus(wss, PROFILE2.identity, { ca: ca.cert })).toBe(401);
    expect(await upgradeStatus(wss, PROFILE2.identity, { ca: ca.cert, password: 'wrong-password-wrong' })).toBe(401);
    expect(await upgradeStatus(wss, PROFILE2.identity, { ca: ca.cert, password: PROFILE2.password })).toBe(101);
  });

  it('boots a profile-3 charger with a client certificate naming it (CN = identity)', async () => {
    const client = await strictCharger(wss, PROFILE3.identity, { client: await ca.issue({ cn: PROFILE3.identity }) });
    const boot = await client.call('BootNotification', { chargePointVendor: 'Secure', chargePointModel: 'P3' }) as { status: string };
    expect(boot.status).toBe('Accepted');
    await client.close();
  });

  it('refuses a profile-3 charger on the plain port, without a certificate, with an expired one, one for another identity or one from another CA', async () => {
    const valid = await ca.issue({ cn: PROFILE3.identity });
    expect(await upgradeStatus(t.system.ocppUrl, PROFILE3.identity)).toBe(403);
    expect(await upgradeStatus(wss, PROFILE3.identity, { ca: ca.cert })).toBe(403);
    const expired = await ca.issue({ cn: PROFILE3.identity, notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
    expect(await upgradeStatus(wss, PROFILE3.identity, { ca: ca.cert, client: expired })).toBe(403);
    expect(await upgradeStatus(wss, PROFILE3.identity, { ca: ca.cert, client: await ca.issue({ cn: 'abc119' }) })).toBe(403);
    expect(await upgradeStatus(wss, PROFILE3.identity, { ca: ca.cert, client: await otherCa.issue({ cn: PROFILE3.identity }) })).toBe(403);
    // Each refusal says why.
    expect(await refusal(t.system.ocppUrl, PROFILE3.identity)).toMatch(/requires wss:/);
    expect(await refusal(wss, PROFILE3.identity, { ca: ca.cert })).toMatch(/no client certificate/);
    expect(await refusal(wss, PROFILE3.identity, { ca: ca.cert, client: expired })).toMatch(/not accepted: CERT_HAS_EXPIRED/);
    expect(await refusal(wss, PROFILE3.identity, { ca: ca.cert, client: await ca.issue({ cn: 'abc119' }) })).toMatch(/is for "abc119", not this charger/);
    expect(await refusal(wss, PROFILE3.identity, { ca: ca.cert, client: await otherCa.issue({ cn: PROFILE3.identity }) })).toMatch(/not accepted: UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)/);
    // A Basic Auth password does not stand in for the certificate.
    expect(await upgradeStatus(wss, PROFILE3.identity, { ca: ca.cert, client: valid })).toBe(101);
  });

  it('only raises a profile, and keeps a password for profiles 1 and 2', async () => {
    const lower = await put(PROFILE3.id, { securityProfile: 2 });
    expect(lower.status).toBe(409);
    expect(lower.body.errorCodes).toContain('securityProfileDowngrade');
    const withoutPassword = await put(100005, { securityProfile: 2 });
    expect(withoutPassword.status).toBe(400);
    expect(withoutPassword.body.errorCodes).toContain('passwordRequired');
    expect((await put(PROFILE2.id, { password: null })).status).toBe(400);
    expect((await put(100005, { securityProfile: 4 })).status).toBe(400);
    expect((await put(PROFILE2.id, { securityProfile: 2 })).status).toBe(200);
  });

  it('serves the HTTP API over https:// with TLS 1.2+ and the whitepaper\'s cipher suites only', async () => {
    const health = await httpsGet(`${t.system.httpsUrl}/health`, { ca: ca.cert });
    expect(health.status).toBe(200);
    const tls12 = await httpsGet(`${t.system.httpsUrl}/health`, { ca: ca.cert, maxVersion: 'TLSv1.2' });
    expect(tls12.protocol).toBe('TLSv1.2');
    expect(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384']).toContain(tls12.cipher);
    await expect(httpsGet(`${t.system.httpsUrl}/health`, { ca: ca.cert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
    await expect(httpsGet(`${t.system.httpsUrl}/health`, { ca: ca.cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' })).rejects.toThrow();
  });

  it('serves a new certificate to new connections once the files change, without a restart', async () => {
    const ocppTlsPort = Number(new URL(wss).port);
    const httpsPort = Number(new URL(t.system.httpsUrl!).port);
    const before = await servedFingerprint(ocppTlsPort, ca.cert);
    expect(await t.system.reloadTls()).toBe(false);
    const renewed = await ca.issue({ cn: 'localhost', server: true, san: ['localhost', '127.0.0.1'] });
    await fs.writeFile(path.join(dir, 'server.key'), renewed.key);
    await fs.writeFile(path.join(dir, 'server.pem'), renewed.cert);
    const expected = new (await import('node:crypto')).X509Certificate(renewed.cert).fingerprint256;
    expect(expected).not.toBe(before);
    await until(async () => (await servedFingerprint(ocppTlsPort, ca.cert)) === expected, 10_000);
    expect(await servedFingerprint(httpsPort, ca.cert)).toBe(expected);
    // Chargers still connect, with their client certificates checked as before.
    expect(await upgradeStatus(wss, PROFILE3.identity, { ca: ca.cert, client: await ca.issue({ cn: PROFILE3.identity }) })).toBe(101);
  });

  it('rotates a charger\'s password with ChangeConfiguration AuthorizationKey; the old one is refused once the charger accepts', async () => {
    const seen: object[] = [];
    const client = await strictCharger(t.system.ocppUrl, ROTATING.identity, { password: ROTATING.password, seen });
    const rotated = await t.request('POST', `/chargers/${ROTATING.id}/password/rotate`, { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body.status).toBe('Accepted');
    expect(rotated.body.password).toMatch(/^[0-9a-f]{40}$/);
    expect(seen).toEqual([{ key: 'AuthorizationKey', value: rotated.body.password }]);
    await client.close();
    expect(await upgradeStatus(t.system.ocppUrl, ROTATING.identity, { password: ROTATING.password })).toBe(401);
    expect(await upgradeStatus(t.system.ocppUrl, ROTATING.identity, { password: rotated.body.password })).toBe(101);
  });

  it('keeps the password when the charger rejects the new one', async () => {
    const hash = async () => (await t.system.database.db.selectFrom('chargers').select('password_hash').where('id', '=', REFUSING.id).executeTakeFirstOrThrow()).password_hash;
    const before = await hash();
    const client = await strictCharger(t.system.ocppUrl, REFUSING.identity, { password: REFUSING.password, answer: 'Rejected' });
    const rotated = await t.request('POST', `/chargers/${REFUSING.id}/password/rotate`, { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ status: 'Rejected', password: null });
    expect(await hash()).toBe(before);
    await client.close();
    expect(await upgradeStatus(t.system.ocppUrl, REFUSING.identity, { password: REFUSING.password })).toBe(101);
    // Not connected: nothing to send the password to. Profile 3: no password to rotate.
    await until(async () => !(await t.system.gateway.isConnected(REFUSING.id)));
    expect((await t.request('POST', `/chargers/${REFUSING.id}/password/rotate`, { token: admin })).status).toBe(409);
    expect((await t.request('POST', `/chargers/${PROFILE3.id}/password/rotate`, { token: admin })).body.errorCodes).toContain('securityProfileCertificate');
  });
});
