import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServer as run, serverStarted as started } from '../support/serverProcess.ts';
import { createTestDatabase, type TestDatabase } from '../support/testSystem.ts';

describe('the server process', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase({ fresh: true }); });
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

  it('refuses to start with a one-line message naming an invalid variable', async () => {
    for (const [name, value] of [['PORT', 'eighty'], ['LIVEMETRICS_DB_UPDATE_INTERVAL', '-5'], ['USE_LOCAL_DATABASE', 'maybe'], ['JWT_SECRET', 'short']]) {
      const server = run({ ...database.env, [name!]: value! });
      expect(await server.exited).toBe(1);
      const lines = server.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
    }
  });
});
