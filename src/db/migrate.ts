import fs from 'node:fs/promises';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './connection.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Numbered plain-SQL files in db/migrations, applied in name order, each in a transaction. */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await fs.readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => { await sql.raw(text).execute(db); } };
    }
    return migrations;
  }
}

/** Brings the schema to the newest migration; returns the names applied now. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider() });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
