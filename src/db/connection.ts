import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
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
  /**
   * Runs statements in order, in one transaction when there are several. On a server
   * database they run as named prepared statements: the same statement text, run again and
   * again (the ingest path's multi-row statements), is parsed and planned once per connection.
   */
  runStatements(statements: CompiledQuery[]): Promise<void>;
  /** Flushes and closes; safe to call twice. */
  close(): Promise<void>;
}

const INT8_OID = 20;

/** int8 (bigint, count(*)) as a JS number rather than pg's string; our values fit in 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const PING_TIMEOUT_MS = 2000;

const statementNames = new Map<string, string>();
const statementName = (text: string) => {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `fc_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return name;
};

async function runPrepared(pool: pg.Pool, statements: CompiledQuery[]): Promise<void> {
  if (statements.length === 0) return;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    if (statements.length > 1) await client.query('begin');
    for (const statement of statements) {
      await client.query({ name: statementName(statement.sql), text: statement.sql, values: statement.parameters as unknown[] });
    }
    if (statements.length > 1) await client.query('commit');
  } catch (error) {
    if (statements.length > 1) await client.query('rollback').catch((rollbackError: unknown) => { broken = rollbackError as Error; });
    throw error;
  } finally {
    // A connection that cannot even roll back is not given to the next caller.
    client.release(broken);
  }
}

/** How long a query waits for a pooled connection (or a new one) before it fails as unavailable. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens the database. `onError` hears failures that belong to no query: a pooled
 * connection whose server went away while idle or while checked out between queries
 * (inside a transaction, say). pg emits those as 'error' events; without a listener on
 * every client they would end the process.
 */
export async function openDatabase(config: DatabaseConfig, onError: (error: Error) => void = () => {}): Promise<DatabaseHandle> {
  let db: Kysely<Database>;
  let closeDriver: () => Promise<void>;
  let runStatements: (statements: CompiledQuery[]) => Promise<void>;
  if (config.kind === 'embedded') {
    await fs.mkdir(config.dataDir, { recursive: true });
    const pglite = await PGlite.create(config.dataDir);
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    closeDriver = () => pglite.close();
    const kysely = db;
    runStatements = async (statements) => {
      if (statements.length === 1) await kysely.executeQuery(statements[0]!);
      else if (statements.length > 1) await kysely.transaction().execute(async (trx) => { for (const statement of statements) await trx.executeQuery(statement); });
    };
  } else {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize, types: pgTypes, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    // The pool listens on idle clients only; a checked-out client needs a listener of its own,
    // which also hears the idle case (so the pool's own event, re-emitting that, stays quiet).
    pool.on('connect', (client) => client.on('error', onError));
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    closeDriver = async () => {};
    runStatements = (statements) => runPrepared(pool, statements);
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    kind: config.kind,
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      // A connection stuck on a dead network would hold the answer for minutes.
      const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS); });
      const answer = sql`select 1`.execute(db).then(() => true, () => false);
      try {
        return await Promise.race([answer, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    runStatements,
    close() {
      closing ??= db.destroy().then(closeDriver);
      return closing;
    },
  };
}
