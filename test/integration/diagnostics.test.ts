import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const MAX_BYTES = 100_000;

describe('diagnostics: GetDiagnostics, the charger\'s upload and the admin\'s download', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const sims: ChargerSimulator[] = [];
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem({ DIAGNOSTICS_MAX_BYTES: String(MAX_BYTES) });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100003, 100004]).execute();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    for (const sim of sims) await sim.close();
    await t?.close();
  });

  async function charger(identity: string, options: Partial<ConstructorParameters<typeof ChargerSimulator>[0]> = {}): Promise<ChargerSimulator> {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${identity}`, ...options });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    return sim;
  }

  const job = async (id: number) => (await t.request('GET', `/diagnostics/${id}`, { token: admin })).body;

  it('has the simulator upload a real file, which admins download exactly as it was sent', async () => {
    const sim = await charger('abc113');
    const startTime = '2025-06-01T00:00:00.000Z';
    const created = await t.request('POST', '/chargers/100003/diagnostics', { token: admin, body: { startTime } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ chargerId: 100003, fileName: 'diagnostics.log', startTime, stopTime: null });
    await until(async () => (await job(created.body.id)).status === 'Uploaded');

    const sent = sim.uploadedDiagnostics!;
    expect(sent.location).toMatch(new RegExp(`^${t.system.httpUrl}/diagnostics-uploads/[A-Za-z0-9_-]{43}$`));
    expect(sent.content).toContain('abc113');
    expect(sent.content).toContain(`period ${startTime}`);
    const done = await job(created.body.id);
    expect(done.steps.map((step: { status: string }) => step.status)).toEqual(['Uploading', 'Uploaded']);
    expect(done.sizeBytes).toBe(Buffer.byteLength(sent.content));

    const file = await t.request('GET', `/diagnostics/${created.body.id}/file`, { token: admin });
    expect(file.status).toBe(200);
    expect(file.text).toBe(sent.content);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('content-disposition')).toContain('filename="diagnostics.log"');
    expect((await t.request('GET', '/chargers/100003/diagnostics', { token: admin })).body[0].id).toBe(created.body.id);

    const user = await t.createUser();
    expect((await t.request('GET', `/diagnostics/${created.body.id}/file`, { token: user.token })).status).toBe(403);
    expect((await t.request('GET', `/diagnostics/${created.body.id}/file`)).status).toBe(401);
    // An uploaded job takes no more uploads.
    expect((await fetch(sent.location, { method: 'PUT', body: 'again' })).status).toBe(404);
    const row = await db().selectFrom('chargers').select('diagnostics_status').where('id', '=', 100003).executeTakeFirstOrThrow();
    expect(row.diagnostics_status).toBe('Uploaded');
  });

  it('takes POST uploads, raw or multipart, and refuses unknown tokens and files over the limit', async () => {
    // A charger that answers GetDiagnostics and leaves the upload to the test.
    let location = '';
    await charger('abc114', { behaviour: { GetDiagnostics: (payload: any) => ((location = payload.location), { fileName: 'cp.tar.gz' }) } });
    const created = await t.request('POST', '/chargers/100004/diagnostics', { token: admin, body: {} });
    expect(created.body).toMatchObject({ status: 'Requested', fileName: 'cp.tar.gz', sizeBytes: null });
    const download = () => t.request('GET', `/diagnostics/${created.body.id}/file`, { token: admin });
    expect((await download()).status).toBe(404);

    const raw = randomBytes(5000);
    const posted = await fetch(location, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: raw });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ sizeBytes: raw.byteLength });
    expect(Buffer.from(await (await fetch(`${t.system.httpUrl}/diagnostics/${created.body.id}/file`, { headers: { authorization: `Bearer ${admin}` } })).arrayBuffer()))
      .toEqual(raw);

    const form = new FormData();
    form.append('note', 'not the file');
    form.append('file', new Blob(['from a form\n']), 'cp.log');
    expect((await fetch(location, { method: 'POST', body: form })).status).toBe(200);
    expect((await download()).text).toBe('from a form\n');
    expect((await job(created.body.id)).sizeBytes).toBe(12);

    const noFile = new FormData();
    noFile.append('note', 'no file here');
    expect((await fetch(location, { method: 'POST', body: noFile })).status).toBe(400);
    const unknown = await fetch(`${t.system.httpUrl}/diagnostics-uploads/${randomBytes(32).toString('base64url')}`, { method: 'PUT', body: 'x' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe('notFoundError');
    // A body without a content type is taken as it is.
    expect((await fetch(location, { method: 'PUT', body: new Uint8Array([0x66, 0x63, 0x0a]) })).status).toBe(200);
    const tooLarge = await fetch(location, { method: 'PUT', body: new Uint8Array(MAX_BYTES + 1) });
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).code).toBe('bodyTooLarge');
    expect((await download()).text).toBe('fc\n');
  });

  it('keeps no job for a charger that is offline', async () => {
    expect((await t.request('POST', '/chargers/100009/diagnostics', { token: admin, body: {} })).status).toBe(409);
    expect((await t.request('GET', '/chargers/100009/diagnostics', { token: admin })).body).toEqual([]);
    expect((await t.request('GET', '/diagnostics/999999', { token: admin })).status).toBe(404);
  });
});
