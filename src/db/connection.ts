import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { PGliteDialect } from './pgliteDialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseConfig['kind'];
  /** true when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Flushes and closes; safe to call twice. */
  close(): Promise<void>;
}

const INT8_OID = 20;

/** int8 (bigint, count(*)) as a JS number rather than pg's string; our values fit in 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  let db: Kysely<Database>;
  let closeDriver: () => Promise<void>;
  if (config.kind === 'embedded') {
    await fs.mkdir(config.dataDir, { recursive: true });
    const pglite = await PGlite.create(config.dataDir);
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    closeDriver = () => pglite.close();
  } else {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize, types: pgTypes });
    // An idle client losing its server must not take the process down; the next query reports it.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    closeDriver = async () => {};
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    kind: config.kind,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closing ??= db.destroy().then(closeDriver);
      return closing;
    },
  };
}
