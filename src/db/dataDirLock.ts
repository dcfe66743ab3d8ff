import fs from 'node:fs/promises';

/** Another process holds the embedded database. */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`The embedded database in ${dataDir} is in use by process ${pid} (a FlexiCharge server, or npm run admin): stop it first, or use the running server.`);
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process holding the embedded database in `dataDir`, if one does. */
export async function dataDirHolder(dataDir: string): Promise<number | undefined> {
  const pid = Number(await fs.readFile(`${dataDir}.lock`, 'utf8').catch(() => ''));
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/**
 * One process at a time per embedded database: PGlite has no lock of its own, and two
 * processes writing one data directory would corrupt it. The lock is a file next to it
 * holding the owner's PID; one left by a process that died is taken over. Resolves with
 * the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = `${dataDir}.lock`;
  for (;;) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      return () => fs.rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await dataDirHolder(dataDir);
      if (holder !== undefined) throw new DataDirInUseError(dataDir, holder);
      await fs.rm(file, { force: true });
    }
  }
}
