import type { PGlite } from '@electric-sql/pglite';
import type { PoolStatus } from './connection.ts';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely dialect for the embedded PGlite database. PGlite is a single connection, so the
 * driver hands it out to one holder at a time: a transaction owns it from BEGIN to
 * COMMIT and no other query can interleave (the published kysely-pglite driver lets
 * concurrent transactions share the connection and loses rows).
 */
export class PGliteDialect implements Dialect {
  readonly #driver: PGliteDriver;
  constructor(pglite: PGlite) {
    this.#driver = new PGliteDriver(pglite);
  }
  createAdapter() { return new PostgresAdapter(); }
  createDriver(): Driver { return this.#driver; }
  /** The one connection, and the queries queued for it. */
  pool(): PoolStatus {
    const holders = this.#driver.holders;
    return { total: 1, idle: holders === 0 ? 1 : 0, waiting: Math.max(0, holders - 1) };
  }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  /** The query or transaction holding the connection, and those queued for it. */
  holders = 0;

  constructor(pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => { release = resolve; });
    this.holders++;
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    if (release) this.holders--;
    release?.();
  }

  async destroy(): Promise<void> {}
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Parameterless statements may hold several commands (migrations); only the
    // simple protocol (exec) runs those.
    const result = query.parameters.length
      ? await this.pglite.query<R>(query.sql, query.parameters as unknown[])
      : (await this.pglite.exec(query.sql)).at(-1);
    return {
      rows: (result?.rows ?? []) as R[],
      numAffectedRows: result?.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on the embedded database');
  }
}
