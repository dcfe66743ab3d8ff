import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { PROCESS_TEST_TIMEOUT_MS, runServer, type ServerProcess, serverStarted } from '../support/serverProcess.ts';
import { createTestDatabase, type TestDatabase } from '../support/testSystem.ts';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- …` as an operator types it (the compiled CLI, built from src/ by the global setup). */
function admin(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, ['dist/cli/admin.js', ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const onPostgres = process.env.TEST_DATABASE === 'postgres';

describe('the operator CLI (npm run admin)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let api: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    server = runServer({ ...database.env, DEMO_CHARGER: '0', ADMIN_EMAIL: 'boss@cli.flexicharge', ADMIN_PASSWORD: 'boss-password-1' });
    api = await serverStarted(server);
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database?.drop();
  });

  it(`works while the server runs (${onPostgres ? 'on the database directly' : 'through the server, which holds the embedded database'})`, async () => {
    const listed = await admin(database.env, 'chargers');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^connectorID\tserial/);
    expect(listed.stdout).toContain('100001\tabc111\t1\tAvailable');

    const added = await admin(database.env, 'add-charger', 'cli-charger-1', '2');
    expect(added.stdout).toMatch(/Charger cli-charger-1 registered as connectorID \d+/);
    const charger = await (await fetch(`${api}/chargers/serial/cli-charger-1`)).json();
    expect(charger).toMatchObject({ chargePointID: 2, status: 'Available' });

    const reset = await admin(database.env, 'reset-password', 'boss@cli.flexicharge');
    const temporary = /: (\S+)\n/.exec(reset.stdout)?.[1];
    expect(temporary).toBeDefined();
    const signIn = await fetch(`${api}/admin/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'boss@cli.flexicharge', password: temporary }),
    });
    expect(signIn.status).toBe(400);
    expect(await signIn.json()).toMatchObject({ ChallengeName: 'NEW_PASSWORD_REQUIRED' });

    const csv = path.join(database.env.DATA_DIR!, 'prices.csv');
    await fs.writeFile(csv, '\uFEFF"start";"price"\r\n"2031-01-01T10:00:00Z";"1,25"\r\n');
    const imported = await admin(database.env, 'import-tariffs', csv);
    expect(imported.stdout.trim()).toBe(`1 hourly prices imported from ${csv}`);
    const tariffs = await (await fetch(`${api}/tariffs?from=2031-01-01T10:00:00Z&to=2031-01-01T11:00:00Z`)).json();
    expect(tariffs).toEqual([expect.objectContaining({ pricePerKwhOre: 125 })]);
  });

  it('works with the server stopped, creating an admin and placing a charger that registered itself', async () => {
    server!.child.kill('SIGTERM');
    expect(await server!.exited).toBe(0);
    const handle = await openDatabase(onPostgres ? { kind: 'postgres', url: database.env.DATABASE_URL!, poolSize: 1 } : { kind: 'embedded', dataDir: `${database.env.DATA_DIR}/pg` });
    await handle.db.insertInto('chargers').values({ serial_number: 'walk-in-1', registration_status: 'Pending', status: 'Unavailable' }).execute();
    await handle.close();

    const pending = await admin(database.env, 'pending');
    expect(pending.stdout).toMatch(/\twalk-in-1\t-\tUnavailable\toffline\tPending/);
    const accepted = await admin(database.env, 'accept', 'walk-in-1', '3');
    expect(accepted.code).toBe(0);
    expect((await admin(database.env, 'pending')).stdout.trim()).toBe('No charger waits to be placed.');

    const created = await admin(database.env, 'create-admin', 'second@cli.flexicharge');
    expect(created.stdout).toMatch(/Admin second@cli\.flexicharge created with the temporary password: \S+/);

    server = runServer({ ...database.env, DEMO_CHARGER: '0' });
    const api2 = await serverStarted(server);
    expect(await (await fetch(`${api2}/chargers/serial/walk-in-1`)).json()).toMatchObject({ chargePointID: 3 });
  });

  it('answers mistakes in one line with a non-zero exit', async () => {
    expect(await admin(database.env, 'reset-password', 'nobody@cli.flexicharge')).toMatchObject({ code: 1, stderr: 'No account with the e-mail nobody@cli.flexicharge\n' });
    expect(await admin(database.env, 'add-charger', 'only-a-serial')).toMatchObject({ code: 1, stderr: 'usage: add-charger <serial number> <chargePointID> [latitude,longitude]\n' });
    const unknown = await admin(database.env, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect((await admin(database.env, 'help')).stdout).toContain('reset-password <e-mail>');
  });
});
