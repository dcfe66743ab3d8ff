import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';

/** A WebSocket upgrade written by hand (the path exactly as given), and the server's whole answer. */
function rawUpgrade(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n',
    ));
    let answer = '';
    socket.on('data', (data) => { answer += data.toString(); });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(answer.split(' ')[1]), body: answer.split('\r\n\r\n')[1] ?? '' }));
  });
}

describe('refusals a probe of the landed code asked for', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const sims: ChargerSimulator[] = [];
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close().catch(() => undefined)));
    await t?.close();
  });

  it('answers a malformed charger identity in the path with 400 and says so', async () => {
    const port = Number(new URL(t.system.ocppUrl).port);
    for (const path of ['/charger/%00abc', '/charger/abc%00', '/charger/%zz', '/charger/100%', '/charger/a%3Ab', '/charger/a:b', '/charger/%E0%A4%A', '/charger/a%1Fb']) {
      const answer = await rawUpgrade(port, path);
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.body), path).toEqual({ status: 400, message: expect.stringMatching(/malformed charge point identity/i) });
    }
    expect((await rawUpgrade(port, '/charger/not-a-charger')).status).toBe(404);
  });

  it('answers PUT /idTags/:idTag with 4xx and the error envelope for odd bodies and unknown tags', async () => {
    const bodies: [unknown, number][] = [
      [{ userId: 'x' }, 400], [{ userID: 'x' }, 400], [{ status: 5 }, 400], [{}, 400], [{ unknown: true }, 400],
      [{ userID: 99999999 }, 404], [{ status: 'Blocked' }, 404],
    ];
    for (const [body, status] of bodies) {
      const answer = await t.request('PUT', '/idTags/NO-SUCH-CARD', { token: admin, body });
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body, JSON.stringify(body)).toMatchObject({ status, code: expect.any(String), errorCodes: expect.any(Array) });
    }
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'ODD-BODY' } })).status).toBe(201);
    const odd = await t.request('PUT', '/idTags/ODD-BODY', { token: admin, body: { userId: 'x' } });
    expect(odd.status).toBe(400);
    expect(odd.body.code).toBe('invalidIdTag');
    expect((await t.request('PUT', '/idTags/ODD-BODY', { token: admin, body: { userID: 99999999 } })).body.code).toBe('invalidUserID');
  });

  it("refuses a second user's session on a charger with an open session, whatever the charger last reported", async () => {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc111`, meterValueIntervalMs: 0 });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    const a = await t.createUser();
    const b = await t.createUser();
    const created = await t.request('POST', '/transaction', { token: a.token, body: { connectorID: 100001 } });
    expect(created.status).toBe(201);
    expect((await t.request('PUT', `/transaction/start/${created.body.transactionID}`, { token: a.token })).status).toBe(200);
    // The charger says it is free again (a StatusNotification out of order, or a lie).
    await sim.statusNotification(1, 'Available');
    expect((await db().selectFrom('chargers').select('status').where('id', '=', 100001).executeTakeFirstOrThrow()).status).toBe('Available');

    const refused = await t.request('POST', '/transaction', { token: b.token, body: { connectorID: 100001 } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('chargerInUse');
    await t.request('PUT', `/transaction/stop/${created.body.transactionID}`, { token: a.token });
  });

  it("ends an invoice's link once its owner's account is deleted", async () => {
    const owner = await t.createUser();
    const session = await db().insertInto('charging_sessions').values({
      charger_id: 100002, connector_id: 1, user_id: owner.id, status: 'Completed', energy_wh: 2000, price_ore: 1000,
      started_at: new Date('2032-04-10T10:00:00Z'), stopped_at: new Date('2032-04-10T11:00:00Z'),
    }).returning('id').executeTakeFirstOrThrow();
    await db().insertInto('payments').values({ session_id: session.id, provider: 'invoice', status: 'Invoiced' }).execute();
    expect((await t.request('POST', '/invoices/generate', { token: admin, body: { year: 2032, month: 4 } })).status).toBe(200);
    const [invoice] = (await t.request('GET', '/invoices', { token: owner.token })).body;
    expect(invoice.userID).toBe(String(owner.id));
    expect((await fetch(invoice.invoiceURL)).status).toBe(200);

    expect((await t.request('DELETE', '/auth/delete-user', { token: owner.token })).status).toBeLessThan(300);
    const after = await fetch(invoice.invoiceURL);
    expect(after.status).toBe(404);
    expect(await after.json()).toMatchObject({ status: 404 });
  });
});
