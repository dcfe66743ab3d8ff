import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.ts';
import { QueueingCharger } from '../support/queueingCharger.ts';
import { TcpProxy } from '../support/tcpProxy.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';
import { expectStoredExactlyOnce } from '../support/storedSessions.ts';

const CHARGERS = [100001, 100002, 100003, 100004, 100005];
const serial = (chargerId: number) => `abc${chargerId - 100000 + 110}`;

describe('PostgreSQL going away under load', () => {
  let proxy: TcpProxy;
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  const db = (): Db => t.system.database.db;

  beforeAll(async () => {
    const server = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    t = await startTestSystem({}, { databasePort: proxy.port });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', CHARGERS).execute();
    await db().insertInto('id_tags').values(CHARGERS.map((id) => ({ id_tag: `CUT-${id}` }))).execute();
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await t?.close();
    await proxy?.close();
  });

  it('survives a connection cut in the middle of a transaction, answering 503 meanwhile', async () => {
    const inside = db().transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await proxy.cut('reset');
      await sql`select 2`.execute(trx);
    });
    await expect(inside).rejects.toThrow();
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', database: 'down' });
    const chargers = await t.request('GET', '/chargers');
    expect(chargers.status).toBe(503);
    expect(chargers.body).toMatchObject({ status: 503, code: 'databaseUnavailable' });
    await proxy.restore();
    await until(async () => (await t.request('GET', '/health')).status === 200);
    expect((await t.request('GET', '/chargers')).status).toBe(200);
  });

  it('loses no session and no meter value and answers no transaction message with an error while the database is cut', async () => {
    const chargers = CHARGERS.map((id) => new QueueingCharger(`${t.system.ocppUrl}/charger/${serial(id)}`, {
      idTag: `CUT-${id}`, sessions: 3, meterValuesPerSession: 15, intervalMs: 40, meterStartWh: id * 10,
    }));
    await until(async () => chargers.every((charger) => charger.answered > 3));
    await proxy.cut('reset');
    // Chargers keep charging and reporting; the central system answers from its journal.
    const answeredBefore = chargers.reduce((sum, charger) => sum + charger.answered, 0);
    await until(async () => chargers.reduce((sum, charger) => sum + charger.answered, 0) > answeredBefore + 40);
    const during = await t.request('GET', '/health');
    expect(during.status).toBe(503);
    expect(during.body.ingest.mode).toBe('journal');
    expect(during.body.ingest.backlog).toBeGreaterThan(0);
    await proxy.restore();
    await Promise.all(chargers.map((charger) => charger.done()));
    await until(async () => t.system.ingest.status().mode === 'direct', 30_000);

    for (const charger of chargers) expect(charger.callErrors).toEqual([]);
    for (const [index, charger] of chargers.entries()) await expectStoredExactlyOnce(db(), CHARGERS[index]!, charger.sessions);
    await Promise.all(chargers.map((charger) => charger.stop()));
  });

  it('also when the network swallows every packet instead of refusing (answers wait for the store timeout, then the journal)', async () => {
    const id = CHARGERS[0]!;
    await db().deleteFrom('charging_sessions').where('charger_id', '=', id).execute();
    const charger = new QueueingCharger(`${t.system.ocppUrl}/charger/${serial(id)}`, {
      idTag: `CUT-${id}`, sessions: 2, meterValuesPerSession: 10, intervalMs: 50, meterStartWh: 5000,
    });
    await until(async () => charger.answered > 3);
    await proxy.cut('blackhole');
    const answeredBefore = charger.answered;
    await until(async () => charger.answered > answeredBefore + 5, 20_000);
    expect(t.system.ingest.status().mode).toBe('journal');
    await proxy.restore();
    await charger.done();
    await until(async () => t.system.ingest.status().mode === 'direct', 30_000);
    expect(charger.callErrors).toEqual([]);
    await expectStoredExactlyOnce(db(), id, charger.sessions);
    await charger.stop();
  });
});
