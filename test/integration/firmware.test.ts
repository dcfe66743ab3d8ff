import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const MAX_BYTES = 300_000;

describe('firmware updates: upload, UpdateFirmware, the charger\'s download and its progress', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const sims: ChargerSimulator[] = [];
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem({ FIRMWARE_MAX_BYTES: String(MAX_BYTES) });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002]).execute();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    for (const sim of sims) await sim.close();
    await t?.close();
  });

  async function charger(identity: string): Promise<ChargerSimulator> {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${identity}` });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    return sim;
  }

  function upload(content: Uint8Array, query: string, headers: Record<string, string> = { authorization: `Bearer ${admin}` }) {
    return fetch(`${t.system.httpUrl}/firmware?${query}`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body: new Uint8Array(content),
    });
  }

  const job = async (id: number) => (await t.request('GET', `/firmware-updates/${id}`, { token: admin })).body;

  it('takes a file, sends it to a charger that downloads exactly those bytes, and follows the job to Installed', async () => {
    const sim = await charger('abc111');
    const bytes = randomBytes(200_000);
    const uploaded = await upload(bytes, 'name=evb-2.0.bin&version=2.0');
    expect(uploaded.status).toBe(201);
    const file = await uploaded.json();
    expect(file).toMatchObject({ name: 'evb-2.0.bin', version: '2.0', sizeBytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await t.request('GET', '/firmware', { token: admin })).body).toContainEqual(file);

    const created = await t.request('POST', '/chargers/100001/firmware-updates', { token: admin, body: { firmwareId: file.id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ chargerId: 100001, firmwareId: file.id, status: 'Requested', requestedBy: expect.any(Number) });
    await until(async () => (await job(created.body.id)).status === 'Installed');

    const done = await job(created.body.id);
    expect(done.steps.map((step: { status: string }) => step.status)).toEqual(['Downloading', 'Downloaded', 'Installing', 'Installed']);
    expect(done.downloads).toBe(1);
    expect(sim.installedFirmware).toMatchObject({ sha256: file.sha256, sizeBytes: bytes.byteLength });
    // The charger was sent to this server, with a token of the job as the only credential.
    const location = sim.installedFirmware!.location;
    expect(location).toMatch(new RegExp(`^${t.system.httpUrl}/firmware-downloads/[A-Za-z0-9_-]{43}$`));
    // An installed job's token serves nothing more.
    expect((await fetch(location)).status).toBe(404);
    expect((await t.request('GET', '/chargers/100001/firmware-updates', { token: admin })).body.map((j: { id: number }) => j.id)).toContain(created.body.id);
    const row = await db().selectFrom('chargers').select('firmware_status').where('id', '=', 100001).executeTakeFirstOrThrow();
    expect(row.firmware_status).toBe('Installed');
  });

  it('ends in DownloadFailed when the file is gone before the charger fetches it', async () => {
    // A charger the test drives: it fetches only once the file is deleted, whatever the machine's load.
    const peer = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc112`);
    try {
      const file = await (await upload(randomBytes(1000), 'name=doomed.bin')).json();
      const retrieveDate = new Date().toISOString();
      const creating = t.request('POST', '/chargers/100002/firmware-updates', { token: admin, body: { firmwareId: file.id, retrieveDate } });
      const call = await peer.nextCall('UpdateFirmware');
      peer.send([3, call[1], {}]);
      const created = await creating;
      expect(created.status).toBe(201);
      expect((await t.request('DELETE', `/firmware/${file.id}`, { token: admin })).status).toBe(204);
      expect((await fetch(call[3].location)).status).toBe(404);
      for (const status of ['Downloading', 'DownloadFailed']) expect((await peer.call('FirmwareStatusNotification', { status }))[0]).toBe(3);
      const failed = await job(created.body.id);
      expect(failed).toMatchObject({ status: 'DownloadFailed', firmwareId: null, downloads: 0, retrieveDate });
      expect(failed.steps.map((step: { status: string }) => step.status)).toEqual(['Downloading', 'DownloadFailed']);
    } finally {
      await peer.close();
    }
  });

  it('refuses unknown tokens, non-admins, bad files and offline chargers', async () => {
    const unknown = await t.request('GET', `/firmware-downloads/${randomBytes(32).toString('base64url')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('notFoundError');

    const user = await t.createUser();
    expect((await upload(randomBytes(10), 'name=x.bin', {})).status).toBe(401);
    expect((await upload(randomBytes(10), 'name=x.bin', { authorization: `Bearer ${user.token}` })).status).toBe(403);
    expect((await t.request('GET', '/firmware', { token: user.token })).status).toBe(403);
    expect((await t.request('GET', '/firmware-updates/1', { token: user.token })).status).toBe(403);

    const empty = await upload(new Uint8Array(0), 'name=empty.bin');
    expect(empty.status).toBe(400);
    expect((await empty.json()).code).toBe('invalidInput');
    expect((await upload(randomBytes(10), '')).status).toBe(400);
    const tooLarge = await upload(randomBytes(MAX_BYTES + 1), 'name=big.bin');
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).code).toBe('bodyTooLarge');
    const json = await t.request('POST', '/firmware?name=x.bin', { token: admin, body: { not: 'a file' } });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('unsupportedMediaType');

    const file = await (await upload(randomBytes(10), 'name=small.bin')).json();
    expect((await t.request('POST', '/chargers/100001/firmware-updates', { token: admin, body: { firmwareId: 999999 } })).body.code).toBe('firmwareNotFound');
    const offline = await t.request('POST', '/chargers/100009/firmware-updates', { token: admin, body: { firmwareId: file.id } });
    expect(offline.status).toBe(409);
    // A job the charger never got is not kept.
    expect((await t.request('GET', '/chargers/100009/firmware-updates', { token: admin })).body).toEqual([]);
    expect((await t.request('POST', '/chargers/100001/firmware-updates', { token: admin, body: { firmwareId: file.id, retries: -1 } })).status).toBe(400);
  });
});
