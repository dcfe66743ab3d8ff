import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Creates the embedded database's cluster in a short-lived process of its own. initdb runs
 * in a WASM instance of its own whose memory (≈ 600 MB at its peak) a long-running server
 * would keep until some major collection returns it, if ever; a process that exits returns
 * it at once. The script is plain CommonJS so that it runs the same under the compiled
 * server, the TypeScript loader and the test runner.
 */
const CREATE_CLUSTER = `
const [entry, dataDir, ...startParams] = process.argv.slice(1);
require(entry).PGlite.create(dataDir, { startParams }).then((db) => db.close()).catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});`;

/** true when `dataDir` holds a cluster (initdb writes PG_VERSION). */
async function hasCluster(dataDir: string): Promise<boolean> {
  return fs.access(path.join(dataDir, 'PG_VERSION')).then(() => true, () => false);
}

/** Makes sure `dataDir` holds a database cluster, creating it apart from this process. */
export async function ensureCluster(dataDir: string, startParams: string[], nodeFlags: string[]): Promise<void> {
  if (await hasCluster(dataDir)) return;
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  try {
    await run(process.execPath, [...nodeFlags, '-e', CREATE_CLUSTER, entry, dataDir, ...startParams], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`Could not create the embedded database in ${dataDir}: ${stderr || (error as Error).message}`);
  }
}
