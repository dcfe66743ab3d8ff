import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { QueueingCharger } from '../support/queueingCharger.ts';
import { freePort, PROCESS_TEST_TIMEOUT_MS, runServer, type ServerProcess, serverStarted } from '../support/serverProcess.ts';
import { expectStoredExactlyOnce } from '../support/storedSessions.ts';
import { TcpProxy } from '../support/tcpProxy.ts';
import { createTestDatabase, type TestDatabase } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const onPostgres = process.env.TEST_DATABASE === 'postgres';
const CHARGERS = [100001, 100002, 100003];
const serial = (chargerId: number) => `abc${chargerId - 100000 + 110}`;
const ADMIN = { username: 'admin@kill.flexicharge', password: 'kill-password-1' };

/** GET /health, whatever its status (it answers 503 with the journal's state during an outage). */
async function health(api: string): Promise<any> {
  return (await fetch(`${api}/health`)).json();
}

describe(`the server killed with SIGKILL while chargers report${onPostgres ? ', during a database outage' : ''}`, { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let database: TestDatabase;
  let proxy: TcpProxy | undefined;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { ...database.env, PORT: String(await freePort()), OCPP_PORT: String(await freePort()), DEMO_CHARGER: '0', ADMIN_EMAIL: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };
    if (onPostgres) {
      const url = new URL(env.DATABASE_URL!);
      proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(proxy.port);
      env.DATABASE_URL = url.toString();
    }
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await proxy?.close();
    await database?.drop();
  });

  it('stores every session and meter value exactly once after the restart, with no transaction message answered by an error', async () => {
    server = runServer(env);
    const api = await serverStarted(server);
    const token = (await (await fetch(`${api}/admin/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
    })).json()).accessToken;
    for (const id of CHARGERS) {
      const created = await fetch(`${api}/idTags`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ idTag: `KILL-${id}` }),
      });
      expect(created.status).toBe(201);
    }
    const ocppUrl = `ws://127.0.0.1:${env.OCPP_PORT}`;
    const chargers = CHARGERS.map((id) => new QueueingCharger(`${ocppUrl}/charger/${serial(id)}`, {
      idTag: `KILL-${id}`, sessions: 2, meterValuesPerSession: 20, intervalMs: 40, meterStartWh: id, callTimeoutMs: 3000,
    }));
    await until(async () => chargers.every((charger) => charger.answered > 3), 30_000);

    if (proxy) {
      await proxy.cut('reset');
      await until(async () => (await health(api)).ingest.backlog > 20, 30_000);
    }
    server.child.kill('SIGKILL');
    await server.exited;
    await proxy?.restore();

    server = runServer(env);
    const restarted = await serverStarted(server);
    await Promise.all(chargers.map((charger) => charger.done()));
    await until(async () => (await health(restarted)).status === 'ok', 30_000);
    for (const charger of chargers) expect(charger.callErrors).toEqual([]);
    await Promise.all(chargers.map((charger) => charger.stop()));

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const handle = await openDatabase(onPostgres ? { kind: 'postgres', url: database.env.DATABASE_URL!, poolSize: 2 } : { kind: 'embedded', dataDir: `${database.env.DATA_DIR}/pg` });
    try {
      for (const [index, charger] of chargers.entries()) await expectStoredExactlyOnce(handle.db, CHARGERS[index]!, charger.sessions);
    } finally {
      await handle.close();
    }
  });
});
