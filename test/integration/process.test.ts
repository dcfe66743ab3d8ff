import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { RawCharger } from '../support/rawCharger.ts';
import { freePort, killServersLeftRunning, portIsFree, PROCESS_TEST_TIMEOUT_MS, runNpmStart, runServer as run, serverStarted as started } from '../support/serverProcess.ts';
import { createTestDatabase, type TestDatabase } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

describe('the server process', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase({ fresh: true }); });
  afterEach(killServersLeftRunning);
  afterAll(() => database?.drop());

  it('starts, prints its URLs and a one-time admin password, serves the seed, and stops cleanly on SIGTERM', async () => {
    const first = run({ ...database.env, ADMIN_EMAIL: 'boss@test.flexicharge' });
    const api = await started(first);
    const output = first.stdout();
    expect(output).toMatch(/Swagger UI\s+http:\/\/127\.0\.0\.1:\d+\/swagger/);
    expect(output).toMatch(/OCPP\s+ws:\/\/127\.0\.0\.1:\d+\/charger\/<serial number>/);
    const password = /First admin created: boss@test\.flexicharge \/ (\S+)/.exec(output)?.[1];
    expect(password).toBeDefined();

    const chargers = await (await fetch(`${api}/chargers`)).json();
    expect(chargers).toHaveLength(10);
    const signIn = await fetch(`${api}/admin/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'boss@test.flexicharge', password }),
    });
    expect(signIn.status).toBe(200);
    const { accessToken } = await signIn.json();
    const created = await fetch(`${api}/chargers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ chargePointID: 1, location: [57.7, 14.07], serialNumber: 'survives-restart' }),
    });
    expect(created.status).toBe(201);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = run({ ...database.env, ADMIN_EMAIL: 'boss@test.flexicharge' });
    const api2 = await started(second);
    expect(second.stdout()).not.toContain('First admin created');
    const after = await (await fetch(`${api2}/chargers/serial/survives-restart`)).json();
    expect(after.serialNumber).toBe('survives-restart');
    expect(await (await fetch(`${api2}/chargers`)).json()).toHaveLength(11);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('says in one line which variable to change when a port is taken', async () => {
    const first = run({ ...database.env, DEMO_CHARGER: '0' });
    const api = await started(first);
    const taken = new URL(api).port;
    const other = await createTestDatabase();
    onTestFinished(() => other.drop());
    const second = run({ ...other.env, PORT: taken, DEMO_CHARGER: '0' });
    expect(await second.exited).toBe(1);
    expect(second.stderr().trim()).toBe(`Port ${taken} is already in use: stop what uses it, or set PORT to another port.`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('refuses to start with a one-line message naming an invalid variable', async () => {
    for (const [name, value] of [['PORT', 'eighty'], ['LIVEMETRICS_DB_UPDATE_INTERVAL', '-5'], ['USE_LOCAL_DATABASE', 'maybe'], ['JWT_SECRET', 'short']]) {
      const server = run({ ...database.env, [name!]: value! });
      expect(await server.exited).toBe(1);
      const lines = server.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
    }
  });

  it('runs as one process under npm start, which a SIGTERM to npm stops gracefully, freeing its ports and keeping its data', async () => {
    const own = await createTestDatabase();
    onTestFinished(() => own.drop());
    const ports = { PORT: String(await freePort()), OCPP_PORT: String(await freePort()) };
    const env = { ...own.env, ...ports, ADMIN_EMAIL: 'ops@test.flexicharge', ADMIN_PASSWORD: 'ops-password-1', DEMO_CHARGER: '0' };
    const npm = runNpmStart(env);
    const api = await started(npm);
    // npm runs the compiled server itself: no shell or loader process in between that a signal would stop at.
    const children = readFileSync(`/proc/${npm.child.pid}/task/${npm.child.pid}/children`, 'utf8').trim().split(/\s+/);
    expect(children).toHaveLength(1);
    expect(readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0')).toEqual(['node', 'dist/main.js', '']);
    const token = (await (await fetch(`${api}/admin/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops@test.flexicharge', password: 'ops-password-1' }),
    })).json()).accessToken;
    const created = await fetch(`${api}/chargers`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ chargePointID: 2, location: [57.78, 14.16], serialNumber: 'survives-sigterm' }),
    });
    expect(created.status).toBe(201);
    const charger = await RawCharger.connect(`ws://127.0.0.1:${ports.OCPP_PORT}/charger/abc111`);

    npm.child.kill('SIGTERM');
    expect(await charger.closed).toMatchObject({ code: 1001 });
    await npm.exited;
    await until(async () => !existsSync(`/proc/${children[0]}`));
    expect(await portIsFree(Number(ports.PORT))).toBe(true);
    expect(await portIsFree(Number(ports.OCPP_PORT))).toBe(true);

    const again = run({ ...env, PORT: '0', OCPP_PORT: '0' });
    const api2 = await started(again);
    expect((await (await fetch(`${api2}/chargers/serial/survives-sigterm`)).json()).serialNumber).toBe('survives-sigterm');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
