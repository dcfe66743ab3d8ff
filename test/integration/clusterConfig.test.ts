import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS, runServer } from '../support/serverProcess.ts';

describe('NATS_URL settings a node refuses', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let dataDir: string;
  beforeAll(async () => { dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-cluster-config-')); });
  afterAll(async () => {
    killServersLeftRunning();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('NATS_URL with the embedded database: exits with status 1 and one line naming NATS_URL', async () => {
    const server = runServer({ DATA_DIR: dataDir, NATS_URL: `nats://127.0.0.1:${await freePort()}`, DEMO_CHARGER: '0' });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('NATS_URL');
    expect(lines[0]).toContain('DATABASE_URL');
    expect(server.stdout()).not.toContain('FlexiCharge is running');
    // Refused before anything was opened: no embedded database was created.
    expect(await fs.readdir(dataDir)).toEqual([]);
  });
});
