import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/** The connections of a database handle, for the metrics. */
export interface PoolStatus {
  total: number;
  idle: number;
  /** Queries (or transactions) waiting for a connection. */
  waiting: number;
}

/** What each driver gives the handle. */
export interface OpenedDriver {
  db: Db;
  closeDriver(): Promise<void>;
  runStatements(statements: CompiledQuery[]): Promise<void>;
  pool(): PoolStatus;
}

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
  pool(): PoolStatus;
  /** Flushes and closes; safe to call twice. */
  close(): Promise<void>;
}

const PING_TIMEOUT_MS = 2000;

/**
 * Opens the database. `onError` hears failures that belong to no query: a pooled
 * connection whose server went away while idle or while checked out between queries
 * (inside a transaction, say). pg emits those as 'error' events; without a listener on
 * every client they would end the process.
 */
export async function openDatabase(config: DatabaseConfig, onError: (error: Error) => void = () => {}): Promise<DatabaseHandle> {
  // Only the driver in use is loaded: the other one would cost memory for nothing.
  const { db, closeDriver, runStatements, pool } = config.kind === 'embedded'
    ? await (await import('./embedded.ts')).openEmbedded(config.dataDir)
    : await (await import('./postgres.ts')).openPostgres(config.url, config.poolSize, onError);
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
    pool,
    close() {
      closing ??= db.destroy().then(closeDriver);
      return closing;
    },
  };
}

/** Opens the configured database, saying so, and logging connections lost outside a query. */
export function openConfiguredDatabase(config: DatabaseConfig, logger: Logger): Promise<DatabaseHandle> {
  logger.info(config.kind === 'embedded' ? { dataDir: config.dataDir } : {}, `opening the ${config.kind === 'embedded' ? 'embedded database' : 'PostgreSQL database'}`);
  return openDatabase(config, (error) => logger.warn({ err: error }, 'database connection lost'));
}
