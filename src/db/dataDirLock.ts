import fs from 'node:fs/promises';

/** Another process holds the embedded database (or another directory only one process may write). */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number, what = 'The embedded database in') {
    super(`${what} ${dataDir} is in use by process ${pid} (a FlexiCharge server, or npm run admin): stop it first, or use the running server.`);
    this.name = 'DataDirInUseError';
  }
}

/** The lock files this process holds: one naming this PID that is not among them was left by an earlier process with the same PID. */
const heldHere = new Set<string>();

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
 * holding the owner's PID; one left by a process that died is taken over, and so is one
 * naming this process (a container restarted after a crash runs with the same PID). Resolves
 * with the release. `what` names the directory in the error.
 */
export async function lockDataDir(dataDir: string, what?: string): Promise<() => Promise<void>> {
  const file = `${dataDir}.lock`;
  for (;;) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      heldHere.add(file);
      return async () => {
        heldHere.delete(file);
        await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await dataDirHolder(dataDir);
      if (holder !== undefined && (holder !== process.pid || heldHere.has(file))) throw new DataDirInUseError(dataDir, holder, what);
      await fs.rm(file, { force: true });
    }
  }
}
