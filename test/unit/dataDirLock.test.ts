import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, dataDirHolder, lockDataDir } from '../../src/db/dataDirLock.ts';

describe('the embedded database lock', () => {
  let dir: string;
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('lets one process hold a data directory, names it to others, and is given back on release', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-'));
    const dataDir = path.join(dir, 'pg');
    const release = await lockDataDir(dataDir);
    expect(await dataDirHolder(dataDir)).toBe(process.pid);
    const second = lockDataDir(dataDir);
    await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(second).rejects.toThrow(`in use by process ${process.pid}`);
    await release();
    expect(await dataDirHolder(dataDir)).toBeUndefined();
    await (await lockDataDir(dataDir))();
  });

  it('takes over a lock left by a process that died', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-'));
    const dataDir = path.join(dir, 'pg');
    // PIDs this high are not handed out (pid_max is at most 2^22).
    await fs.writeFile(`${dataDir}.lock`, String(2 ** 22 + 7));
    expect(await dataDirHolder(dataDir)).toBeUndefined();
    const release = await lockDataDir(dataDir);
    expect(await dataDirHolder(dataDir)).toBe(process.pid);
    await release();
  });

  it('takes over a lock naming this process that this process does not hold (a container restarted with the same PID)', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-'));
    const dataDir = path.join(dir, 'journal');
    await fs.writeFile(`${dataDir}.lock`, String(process.pid));
    const release = await lockDataDir(dataDir, 'The charger-data journal in');
    await expect(lockDataDir(dataDir, 'The charger-data journal in')).rejects.toThrow(`The charger-data journal in ${dataDir} is in use by process ${process.pid}`);
    await release();
  });
});
