import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { inject } from 'vitest';
import { runOnServer } from '../../bench/postgres.ts';
import { loadConfig } from '../../src/config.ts';
import { startSystem, type RunningSystem } from '../../src/system.ts';

export const ADMIN = { email: 'admin@test.flexicharge', password: 'admin-password-1' };
export const JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** A database for one test system: a temp directory, or a fresh PostgreSQL database. */
export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A copy of the run's migrated template (made by globalSetup.ts), or with `fresh` an empty
 * database (an embedded one as an empty directory), as on a new machine.
 */
export async function createTestDatabase({ fresh = false } = {}): Promise<TestDatabase> {
  if (process.env.TEST_DATABASE === 'postgres') {
    const serverUrl = process.env.TEST_DATABASE_URL!;
    const name = `fc_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await runOnServer(serverUrl, `create database ${name}${fresh ? '' : ` template ${inject('postgresTemplate')}`}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    // Local files (the mail outbox) still need a directory of their own.
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-test-'));
    return {
      env: { DATABASE_URL: url.toString(), DATA_DIR: dataDir },
      async drop() {
        await runOnServer(serverUrl, `drop database if exists ${name} with (force)`);
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-test-'));
  if (!fresh) await fs.cp(inject('embeddedTemplate'), path.join(dataDir, 'pg'), { recursive: true });
  return { env: { DATA_DIR: dataDir }, drop: () => fs.rm(dataDir, { recursive: true, force: true }) };
}

export interface RequestOptions {
  body?: unknown;
  form?: Record<string, string>;
  token?: string;
  headers?: Record<string, string>;
  rawBody?: string;
}

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestSystem {
  system: RunningSystem;
  env: Record<string, string>;
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** The same request answered in-process, for checks that need no socket. */
  inject<T = any>(method: string, url: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** Signs in as the configured admin and returns the access token. */
  adminToken(): Promise<string>;
  /** Creates an end user and returns its id and access token. */
  createUser(email?: string, password?: string): Promise<{ id: number; email: string; token: string }>;
  /** Stops the system; the database stays for a restart. */
  stop(): Promise<void>;
  /** Starts a new system on the same database (with optional extra env). */
  restart(extraEnv?: Record<string, string>): Promise<TestSystem>;
}

/** Headers and body of a request as a client sends it. */
function encodeRequest(options: RequestOptions): { headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return { headers, body };
}

function decodeResponse(status: number, headers: Headers, text: string): TestResponse {
  let parsed: unknown = text;
  if (headers.get('content-type')?.includes('application/json')) parsed = JSON.parse(text);
  return { status, headers, body: parsed, text };
}

export async function sendRequest(baseUrl: string, method: string, url: string, options: RequestOptions = {}): Promise<TestResponse> {
  const { headers, body } = encodeRequest(options);
  const response = await fetch(baseUrl + url, { method, headers, body, redirect: 'manual' });
  return decodeResponse(response.status, response.headers, await response.text());
}

async function injectRequest(system: RunningSystem, method: string, url: string, options: RequestOptions = {}): Promise<TestResponse> {
  const { headers, body } = encodeRequest(options);
  const response = await system.injectHttp({ method: method as 'GET', url, headers, payload: body });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) responseHeaders.set(name, String(value));
  }
  return decodeResponse(response.statusCode, responseHeaders, response.body);
}

let userCounter = 0;

async function launch(database: TestDatabase, env: Record<string, string>): Promise<TestSystem> {
  const config = loadConfig(env);
  const system = await startSystem(config, pino({ level: 'silent' }));
  const request = (method: string, url: string, options?: RequestOptions) => sendRequest(system.httpUrl, method, url, options);
  const testSystem: TestSystem = {
    system,
    env,
    request,
    inject: (method, url, options) => injectRequest(system, method, url, options),
    async adminToken() {
      const response = await request('POST', '/admin/sign-in', { body: { username: ADMIN.email, password: ADMIN.password } });
      if (response.status !== 200) throw new Error(`admin sign-in failed: ${response.text}`);
      return response.body.accessToken as string;
    },
    async createUser(email = `user${++userCounter}-${randomBytes(3).toString('hex')}@test.flexicharge`, password = 'user-password-1') {
      const { createUser } = await import('../../src/domain/users.ts');
      const user = await createUser(system.database.db, { email, password, role: 'user' });
      const response = await request('POST', '/auth/sign-in', { body: { username: email, password } });
      return { id: user.id, email, token: response.body.accessToken as string };
    },
    stop: () => system.close(),
    async restart(extraEnv = {}) {
      await system.close();
      return launch(database, { ...env, ...extraEnv });
    },
  };
  return testSystem;
}

/**
 * Starts the real system on ephemeral loopback ports with its own database. Call
 * `close` (from `afterAll`) to stop it and drop the database.
 */
export async function startTestSystem(
  extraEnv: Record<string, string> = {},
  options: { databasePort?: number } = {},
): Promise<TestSystem & { close(): Promise<void> }> {
  const database = await createTestDatabase();
  // On PostgreSQL, a test may put something (a TCP proxy it can cut) between the system and the server.
  if (options.databasePort !== undefined && database.env.DATABASE_URL) {
    const url = new URL(database.env.DATABASE_URL);
    url.port = String(options.databasePort);
    database.env.DATABASE_URL = url.toString();
  }
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    OCPP_PORT: '0',
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET,
    SIGN_IN_RATE_LIMIT: '10000',
    DEMO_CHARGER: '0',
    ...database.env,
    ...extraEnv,
  };
  let current = await launch(database, env);
  const handle = {
    get system() { return current.system; },
    get env() { return current.env; },
    request: (...args: Parameters<TestSystem['request']>) => current.request(...args),
    inject: (...args: Parameters<TestSystem['inject']>) => current.inject(...args),
    adminToken: () => current.adminToken(),
    createUser: (email?: string, password?: string) => current.createUser(email, password),
    stop: () => current.stop(),
    async restart(more?: Record<string, string>) {
      current = await current.restart(more);
      return current;
    },
    async close() {
      await current.stop();
      await database.drop();
    },
  };
  return handle;
}
