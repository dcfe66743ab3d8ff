import fs from 'node:fs/promises';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './connection.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

async function migrationFiles(): Promise<string[]> {
  return (await fs.readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).sort();
}

/** Numbered plain-SQL files in db/migrations, applied in name order, each in a transaction. */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of await migrationFiles()) {
      const text = await fs.readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => { await sql.raw(text).execute(db); } };
    }
    return migrations;
  }
}

/**
 * Every migration is recorded already (the usual start). Asked with one query because the
 * migrator's own check reads the whole catalog, which costs the embedded database 0.4 s.
 */
async function upToDate(db: Db): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return (await migrationFiles()).every((file) => applied.has(file.replace(/\.sql$/, '')));
  } catch {
    return false;
  }
}

/** Brings the schema to the newest migration; returns the names applied now. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider() });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
