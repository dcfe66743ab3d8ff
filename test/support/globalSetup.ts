import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { runOnServer } from '../../bench/postgres.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory holding a migrated, empty embedded database cluster. */
    embeddedTemplate: string;
    /** The name of a migrated, empty PostgreSQL database to create test databases from. */
    postgresTemplate: string;
  }
}

/** The newest modification time of any file below `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * Tests that start the server as `npm start` does need the compiled JavaScript of the
 * sources being tested, and the browser tests the dashboard the server serves from
 * dist/dashboard, so dist/ is built again when src/ or dashboard/ is newer.
 */
function buildWhenStale(): void {
  const built = fs.existsSync('dist/main.js') && fs.existsSync('dist/dashboard/index.html') ? newest('dist') : 0;
  if (built < Math.max(newest('src'), newest('dashboard'))) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}

/** A migrated embedded cluster, made once per run; each test copies it (a cluster takes seconds to create). */
async function embeddedTemplate(project: TestProject): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flexicharge-template-'));
  const handle = await openDatabase({ kind: 'embedded', dataDir: dir });
  await migrateToLatest(handle.db);
  await handle.close();
  project.provide('embeddedTemplate', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

/** A migrated PostgreSQL database, made once per run; each test file's database is created from it. */
async function postgresTemplate(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const name = `fc_template_${randomBytes(4).toString('hex')}`;
  await runOnServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  await migrateToLatest(handle.db);
  await handle.close();
  project.provide('postgresTemplate', name);
  return () => runOnServer(serverUrl, `drop database if exists ${name} with (force)`);
}

/** Once per project of a run (the projects are named in vitest.config.ts). */
export default async function setup(project: TestProject): Promise<(() => void | Promise<void>) | void> {
  if (project.name === 'unit') return;
  buildWhenStale();
  if (project.name === 'integration:embedded' || project.name === 'browser') return embeddedTemplate(project);
  if (project.name === 'integration:postgres') return postgresTemplate(project);
}
