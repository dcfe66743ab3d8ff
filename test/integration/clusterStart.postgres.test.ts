import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS, runServer } from '../support/serverProcess.ts';
import { createTestDatabase, type TestDatabase } from '../support/testSystem.ts';

describe('a node whose NATS cannot be reached at start', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => {
    killServersLeftRunning();
    await database?.drop();
  });

  it('exits with status 1 (a process manager starts it again), saying NATS_URL cannot be reached', async () => {
    const server = runServer({ ...database.env, NATS_URL: `nats://127.0.0.1:${await freePort()}`, DEMO_CHARGER: '0', ADMIN_PASSWORD: 'cluster-password-1' });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+ \(NATS_URL\)/);
    expect(server.stdout()).not.toContain('FlexiCharge is running');
  });
});
