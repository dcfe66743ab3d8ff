import fs from 'node:fs/promises';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { OpenedDriver } from './connection.ts';
import { lockDataDir } from './dataDirLock.ts';
import { ensureCluster } from './embeddedCluster.ts';
import { PGliteDialect } from './pgliteDialect.ts';
import type { Database } from './schema.ts';

/**
 * The embedded database is sized for a service's working set, not for a database server:
 * PostgreSQL's 128 MB of shared buffers would hold more than the data set of a fleet's
 * sessions in memory twice (the operating system caches the files too). Measured: 16 MB
 * saves about 130 MB of resident memory without slowing the benchmarks.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'max_connections=10'];

/**
 * PostgreSQL compiled to WebAssembly runs on V8's baseline compiler alone. By default V8
 * also recompiles hot functions with its optimising compiler on background threads, whose
 * working memory (≈ 60 MB) stays with the process. Measured on the bench: the embedded
 * database's write paths 15–20 % slower (MeterValues, Start+Stop), start-up 0.3 s faster,
 * idle RSS 60 MB lower, which keeps an idle server within 250 MB.
 * Set before PGlite compiles its module; nothing else in the server runs WebAssembly.
 */
const BASELINE_WASM_ONLY = '--liftoff-only';

/** The embedded database (PGlite) in `dataDir`. */
export async function openEmbedded(dataDir: string): Promise<OpenedDriver> {
  await fs.mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  v8.setFlagsFromString(BASELINE_WASM_ONLY);
  const startParams = [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
  let pglite: PGlite;
  try {
    await ensureCluster(dataDir, startParams, [BASELINE_WASM_ONLY]);
    pglite = await PGlite.create(dataDir, { startParams });
  } catch (error) {
    await unlock();
    throw error;
  }
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    async closeDriver() {
      await pglite.close();
      await unlock();
    },
    pool: () => dialect.pool(),
    async runStatements(statements) {
      if (statements.length === 1) await db.executeQuery(statements[0]!);
      else if (statements.length > 1) await db.transaction().execute(async (trx) => { for (const statement of statements) await trx.executeQuery(statement); });
    },
  };
}
