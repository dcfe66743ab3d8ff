import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh database on a PostgreSQL server, so FlexiCharge starts from an empty schema. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Runs one statement on the server (creating or dropping a database), on a connection of its own. */
export async function runOnServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `fc_bench_${randomBytes(4).toString('hex')}`;
  await runOnServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // force: a server that died mid-run may have left its sessions open.
    drop: () => runOnServer(serverUrl, `drop database if exists ${name} with (force)`),
  };
}
