import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { OpenedDriver } from './connection.ts';
import { lockDataDir } from './dataDirLock.ts';
import { PGliteDialect } from './pgliteDialect.ts';
import type { Database } from './schema.ts';

/**
 * The embedded database is sized for a service's working set, not for a database server:
 * PostgreSQL's 128 MB of shared buffers would hold more than the data set of a fleet's
 * sessions in memory twice (the operating system caches the files too). Measured: 16 MB
 * saves about 130 MB of resident memory without slowing the benchmarks.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'max_connections=10'];

/** The embedded database (PGlite) in `dataDir`. */
export async function openEmbedded(dataDir: string): Promise<OpenedDriver> {
  await fs.mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])] });
  } catch (error) {
    await unlock();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    async closeDriver() {
      await pglite.close();
      await unlock();
    },
    async runStatements(statements) {
      if (statements.length === 1) await db.executeQuery(statements[0]!);
      else if (statements.length > 1) await db.transaction().execute(async (trx) => { for (const statement of statements) await trx.executeQuery(statement); });
    },
  };
}
