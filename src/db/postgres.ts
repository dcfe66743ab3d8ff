import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { OpenedDriver } from './connection.ts';
import type { Database } from './schema.ts';

const INT8_OID = 20;

/** int8 (bigint, count(*)) as a JS number rather than pg's string; our values fit in 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** How long a query waits for a pooled connection (or a new one) before it fails as unavailable. */
const CONNECT_TIMEOUT_MS = 5000;

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

/** A pool of connections to a PostgreSQL server; `onError` hears connections lost outside a query. */
export async function openPostgres(url: string, poolSize: number, onError: (error: Error) => void): Promise<OpenedDriver> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  // The pool listens on idle clients only; a checked-out client needs a listener of its own,
  // which also hears the idle case (so the pool's own event, re-emitting that, stays quiet).
  pool.on('connect', (client) => client.on('error', onError));
  pool.on('error', () => {});
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    closeDriver: async () => {},
    runStatements: (statements) => runPrepared(pool, statements),
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
