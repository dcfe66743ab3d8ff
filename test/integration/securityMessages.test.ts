import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerCertificates } from '../../src/domain/certificates.ts';
import { SECURITY_COMMANDS } from '../support/securityPeer.ts';
import { startTestSystem } from '../support/testSystem.ts';

const subtle = webcrypto.subtle;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const rsa = (modulusLength: number) => ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength });

async function csr(name: string, algorithm: object = rsa(2048)): Promise<string> {
  const keys = await subtle.generateKey(algorithm as RsaHashedKeyGenParams, true, ['sign', 'verify']) as CryptoKeyPair;
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: algorithm as Algorithm })).toString('pem');
}

const now = () => new Date().toISOString();

describe('the OCPP 1.6 Security Whitepaper messages', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let client: RPCClient;
  let admin: string;
  let user: string;
  let caPem: string;
  let dir: string;
  const received: Record<string, unknown[]> = {};
  const db = () => t.system.database.db;

  beforeAll(async () => {
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    const caKeys = await subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: 'CN=FlexiCharge Test CA', keys: caKeys, signingAlgorithm: EC,
      notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 86_400_000),
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    caPem = ca.toString('pem');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-ca-'));
    await fs.writeFile(path.join(dir, 'ca.pem'), caPem);
    await fs.writeFile(path.join(dir, 'ca.key'), x509.PemConverter.encode(await subtle.exportKey('pkcs8', caKeys.privateKey), 'PRIVATE KEY'));

    t = await startTestSystem({ CSMS_CA_CERT_FILE: path.join(dir, 'ca.pem'), CSMS_CA_KEY_FILE: path.join(dir, 'ca.key') });
    admin = await t.adminToken();
    user = (await t.createUser()).token;
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100003).execute();
    client = new RPCClient({ endpoint: `${t.system.ocppUrl}/charger`, identity: 'abc113', protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as never);
    for (const [action, [, answer]] of Object.entries(SECURITY_COMMANDS)) {
      client.handle(action, async ({ params }) => {
        (received[action] ??= []).push(params);
        return answer;
      });
    }
    await client.connect();
    await client.call('BootNotification', { chargePointVendor: 'Secure', chargePointModel: 'S-2' });
  });
  afterAll(async () => {
    await client?.close({ force: true });
    await t?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const call = (action: string, payload: object) => client.call(action, payload) as Promise<any>;

  it('stores security events, marks the critical ones, and lists them to admins only', async () => {
    expect(await call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: '2025-06-02T08:15:00Z', techInfo: 'enclosure opened' })).toEqual({});
    expect(await call('SecurityEventNotification', { type: 'InvalidMessages', timestamp: now() })).toEqual({});
    await expect(call('SecurityEventNotification', { type: 'NoTimestamp' })).rejects.toThrow();

    const list = await t.request('GET', '/chargers/100003/security/events', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    expect(list.body[0]).toMatchObject({ kind: 'security', type: 'InvalidMessages', critical: false, techInfo: null });
    expect(list.body[1]).toMatchObject({ kind: 'security', type: 'TamperDetectionActivated', critical: true, techInfo: 'enclosure opened', timestamp: '2025-06-02T08:15:00.000Z' });

    const page = await t.request('GET', `/chargers/100003/security/events?limit=1&before=${list.body[0].id}`, { token: admin });
    expect(page.body.map((event: any) => event.type)).toEqual(['TamperDetectionActivated']);
    expect((await t.request('GET', '/chargers/100003/security/events', { token: user })).status).toBe(403);
    expect((await t.request('GET', '/chargers/100003/security/events')).status).toBe(401);
    expect((await t.request('GET', '/chargers/100003/security/events?limit=0', { token: admin })).status).toBe(400);
    expect((await t.request('GET', '/chargers/199999/security/events', { token: admin })).status).toBe(404);
  });

  it('signs a valid CSR with the CA and sends the chain in CertificateSigned', async () => {
    expect(await call('SignCertificate', { csr: await csr('CN=abc113,O=FlexiCharge') })).toEqual({ status: 'Accepted' });
    await expect.poll(() => received.CertificateSigned?.length ?? 0).toBe(1);
    const { certificateChain } = received.CertificateSigned![0] as { certificateChain: string };
    const [leafPem] = certificateChain.split(/(?<=-----END CERTIFICATE-----)/);
    const leaf = new X509Certificate(leafPem!.trim());
    const ca = new X509Certificate(caPem);
    expect(leaf.subject).toContain('CN=abc113');
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(certificateChain).toContain(ca.toString().trim());
  });

  it('rejects a CSR naming another charger, with a weak key, or not a CSR at all', async () => {
    expect(await call('SignCertificate', { csr: await csr('CN=abc999') })).toEqual({ status: 'Rejected' });
    expect(await call('SignCertificate', { csr: await csr('CN=abc113', rsa(1024)) })).toEqual({ status: 'Rejected' });
    expect(await call('SignCertificate', { csr: 'not a request' })).toEqual({ status: 'Rejected' });
    expect(await call('SignCertificate', { csr: await csr('CN=abc113', EC) })).toEqual({ status: 'Accepted' });
    await expect.poll(() => received.CertificateSigned?.length ?? 0).toBe(2);
  });

  it('rejects every CSR when no CA is configured', async () => {
    const none = new ChargerCertificates({ caCertFile: '', caKeyFile: '', organisation: '' });
    expect(await none.sign('abc113', await csr('CN=abc113'))).toMatchObject({ accepted: false, reason: expect.stringContaining('no CA') });
    const named = new ChargerCertificates({ caCertFile: path.join(dir, 'ca.pem'), caKeyFile: path.join(dir, 'ca.key'), organisation: 'FlexiCharge' });
    expect(await named.sign('abc113', await csr('CN=abc113,O=Other'))).toMatchObject({ accepted: false });
    expect(await named.sign('abc113', await csr('CN=abc113,O=FlexiCharge'))).toMatchObject({ accepted: true });
  });

  it('records LogStatusNotification and SignedFirmwareStatusNotification', async () => {
    expect(await call('LogStatusNotification', { status: 'Uploaded', requestId: 5 })).toEqual({});
    expect(await call('SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: 6 })).toEqual({});
    const charger = await db().selectFrom('chargers').select('firmware_status').where('id', '=', 100003).executeTakeFirstOrThrow();
    expect(charger.firmware_status).toBe('SignatureVerified');
    const list = await t.request('GET', '/chargers/100003/security/events?limit=2', { token: admin });
    expect(list.body).toMatchObject([
      { kind: 'firmware', type: 'SignatureVerified', requestId: 6, critical: false },
      { kind: 'log', type: 'Uploaded', requestId: 5 },
    ]);
  });

  it('sends each Security Whitepaper command through the command route, and its answer comes back', async () => {
    for (const [action, [request, answer]] of Object.entries(SECURITY_COMMANDS)) {
      const before = received[action]?.length ?? 0;
      const response = await t.request('POST', `/chargers/100003/commands/${action}`, { token: admin, body: request });
      expect(response.status, action).toBe(200);
      expect(response.body.response, action).toEqual(answer);
      expect(received[action]![before], action).toEqual(request);
    }
    const invalid = await t.request('POST', '/chargers/100003/commands/InstallCertificate', { token: admin, body: { certificateType: 'Other', certificate: 'x' } });
    expect(invalid.status).toBe(400);
    expect((await t.request('POST', '/chargers/100003/commands/GetLog', { token: user, body: {} })).status).toBe(403);
  });
});
