import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle, type Db } from '../../src/db/connection.ts';
import { createUser } from '../../src/domain/users.ts';
import { runServer, serverStarted, type ServerProcess } from './serverProcess.ts';
import { createTestDatabase, type TestDatabase } from './testSystem.ts';
import { until } from './until.ts';

export const CLUSTER_ADMIN = { username: 'admin@cluster.flexicharge', password: 'cluster-password-1' };

/** A client gives a request this long unless told otherwise: long enough for any answer the server means to give. */
const REQUEST_TIMEOUT_MS = 60_000;
/** A node process may take this long to print its banner on a loaded machine. */
const NODE_START_TIMEOUT_MS = 90_000;

export interface ClusterRequest {
  body?: unknown;
  token?: string;
  /** Client-side timeout; default 60 s. */
  timeoutMs?: number;
}

export interface ClusterResponse<T = any> {
  status: number;
  body: T;
  text: string;
}

/** One JSON log line of a node (pino), with the fields the tests look at. */
export interface LogEntry {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** One server process among the nodes. */
export class ClusterNode {
  #process: ServerProcess | undefined;
  #api = '';
  #ocpp = '';
  /** Output of earlier runs of this node (before a restart). */
  #earlier = '';

  constructor(readonly id: string, readonly env: Record<string, string>) {}

  /** Spawns the process; `started` waits for its banner. */
  spawn(): void {
    if (this.#process) this.#earlier += this.#process.stdout();
    this.#process = runServer(this.env);
    this.#api = '';
    this.#ocpp = '';
  }

  /** Waits for the banner and reads the API and OCPP URLs from it. */
  async started(): Promise<void> {
    const server = this.process;
    this.#api = await serverStarted(server, NODE_START_TIMEOUT_MS);
    const ocpp = /OCPP\s+(ws:\/\/\S+?)\/charger\//.exec(server.stdout())?.[1];
    if (!ocpp) throw new Error(`node ${this.id}: no OCPP line in its banner:\n${server.stdout()}`);
    this.#ocpp = ocpp;
  }

  get process(): ServerProcess {
    if (!this.#process) throw new Error(`node ${this.id} was never started`);
    return this.#process;
  }

  get pid(): number {
    return this.process.child.pid!;
  }

  get alive(): boolean {
    return this.#process !== undefined && this.#process.child.exitCode === null && this.#process.child.signalCode === null;
  }

  /** The HTTP API, e.g. http://127.0.0.1:40123. */
  get api(): string {
    if (!this.#api) throw new Error(`node ${this.id} has not started`);
    return this.#api;
  }

  /** The OCPP WebSocket base, e.g. ws://127.0.0.1:40124 (chargers at /charger/<serial>, apps at /user/<id>). */
  get ocpp(): string {
    if (!this.#ocpp) throw new Error(`node ${this.id} has not started`);
    return this.#ocpp;
  }

  chargerUrl(serial: string): string {
    return `${this.ocpp}/charger/${serial}`;
  }

  /** Everything the node printed on stdout, across restarts: JSON log lines and the banner. */
  output(): string {
    return this.#earlier + (this.#process?.stdout() ?? '');
  }

  /** The node's JSON log lines, across restarts. */
  logs(): LogEntry[] {
    return this.output().split('\n').filter((line) => line.startsWith('{')).flatMap((line) => {
      try {
        return [JSON.parse(line) as LogEntry];
      } catch {
        return [];
      }
    });
  }

  logged(msg: string): LogEntry[] {
    return this.logs().filter((entry) => entry.msg === msg);
  }

  /** kill -9: the node dies without a word to anyone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    process.kill(this.pid, 'SIGKILL');
    await this.process.exited;
  }

  /** A graceful stop (SIGTERM); resolves with the exit status. */
  async stop(): Promise<number | null> {
    if (!this.alive) return this.process.child.exitCode;
    process.kill(this.pid, 'SIGTERM');
    return this.process.exited;
  }

  async request<T = any>(method: string, url: string, options: ClusterRequest = {}): Promise<ClusterResponse<T>> {
    return httpRequest(this.api, method, url, options);
  }
}

export async function httpRequest(baseUrl: string, method: string, url: string, options: ClusterRequest = {}): Promise<ClusterResponse> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(baseUrl + url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let body: unknown = text;
  if (response.headers.get('content-type')?.includes('application/json')) body = JSON.parse(text);
  return { status: response.status, body, text };
}

export interface ClusterOptions {
  /** Node ids, default ['a', 'b', 'c']. */
  nodes?: string[];
  natsUrl: string;
  /** NATS_PREFIX; default a random one, so runs never hear each other. */
  prefix?: string;
  /** NODE_LEASE_TTL in seconds, default 3. */
  leaseTtlSeconds?: number;
  /** More environment for every node. */
  env?: Record<string, string>;
  /** More environment for some nodes, by id (wins over `env`). */
  nodeEnv?: Record<string, Record<string, string>>;
  /** Called with the database before any node starts (to put rows in it). */
  prepare?: (db: Db) => Promise<void>;
  /** Nodes set up but not started with the others; `startNode` starts them. */
  deferred?: string[];
  /** An empty database (not the run's migrated template): the nodes migrate it as they start together. */
  fresh?: boolean;
}

/**
 * Several server processes sharing one fresh PostgreSQL test database and one NATS
 * server, started together, each with a DATA_DIR of its own, logging JSON at info level.
 */
export class TestCluster {
  readonly nodes = new Map<string, ClusterNode>();
  #adminToken: string | undefined;
  #users = 0;

  private constructor(
    readonly database: TestDatabase,
    readonly handle: DatabaseHandle,
    private readonly tempDir: string,
  ) {}

  static async start(options: ClusterOptions): Promise<TestCluster> {
    const database = await createTestDatabase({ fresh: options.fresh ?? false });
    const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-cluster-'));
    const handle = await openDatabase({ kind: 'postgres', url: database.env.DATABASE_URL!, poolSize: 2 });
    const cluster = new TestCluster(database, handle, tempDir);
    try {
      if (options.prepare) await options.prepare(handle.db);
      const prefix = options.prefix ?? `fc${randomBytes(4).toString('hex')}`;
      for (const id of options.nodes ?? ['a', 'b', 'c']) {
        const dataDir = path.join(tempDir, id);
        await fs.mkdir(dataDir);
        cluster.nodes.set(id, new ClusterNode(id, {
          DATABASE_URL: database.env.DATABASE_URL!,
          DATA_DIR: dataDir,
          NATS_URL: options.natsUrl,
          NATS_PREFIX: prefix,
          NODE_ID: id,
          NODE_LEASE_TTL: String(options.leaseTtlSeconds ?? 3),
          ADMIN_EMAIL: CLUSTER_ADMIN.username,
          ADMIN_PASSWORD: CLUSTER_ADMIN.password,
          SEED: '1',
          DEMO_CHARGER: '0',
          LOG_LEVEL: 'info',
          SIGN_IN_RATE_LIMIT: '10000',
          ...options.env,
          ...options.nodeEnv?.[id],
        }));
      }
      // All at once: nodes starting together on an empty database must sort out seeding and the first admin.
      const now = [...cluster.nodes.values()].filter((node) => !options.deferred?.includes(node.id));
      for (const node of now) node.spawn();
      await Promise.all(now.map((node) => node.started()));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  get db(): Db {
    return this.handle.db;
  }

  node(id: string): ClusterNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** Starts a deferred node, or a stopped or killed one again (new ports; same database, DATA_DIR and id). */
  async startNode(id: string): Promise<ClusterNode> {
    const node = this.node(id);
    if (node.alive) throw new Error(`node ${id} is running`);
    node.spawn();
    await node.started();
    return node;
  }

  /** The admin's access token (signed in once, on the first node that is alive). */
  async adminToken(): Promise<string> {
    if (this.#adminToken) return this.#adminToken;
    const node = [...this.nodes.values()].find((candidate) => candidate.alive)!;
    const response = await node.request('POST', '/admin/sign-in', { body: CLUSTER_ADMIN });
    if (response.status !== 200) throw new Error(`admin sign-in failed: ${response.status} ${response.text}`);
    return (this.#adminToken = response.body.accessToken as string);
  }

  /** A verified end user, signed in on `node`. */
  async createUser(node: ClusterNode): Promise<{ id: number; email: string; token: string }> {
    const email = `driver${++this.#users}-${randomBytes(3).toString('hex')}@cluster.flexicharge`;
    const password = 'driver-password-1';
    const user = await createUser(this.db, { email, password, role: 'user' });
    const response = await node.request('POST', '/auth/sign-in', { body: { username: email, password } });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${response.text}`);
    return { id: user.id, email, token: response.body.accessToken as string };
  }

  /** The charger as GET /chargers/:id on `node` shows it. */
  async charger(node: ClusterNode, chargerId: number): Promise<{ online: boolean; status: string; [key: string]: unknown }> {
    const response = await node.request('GET', `/chargers/${chargerId}`);
    if (response.status !== 200) throw new Error(`GET /chargers/${chargerId} on ${node.id}: ${response.status} ${response.text}`);
    return response.body;
  }

  /** Waits (bounded) until GET /chargers/:id on `node` shows the charger online or offline. */
  async untilOnline(node: ClusterNode, chargerId: number, online: boolean, timeoutMs = 30_000): Promise<void> {
    await until(async () => (await this.charger(node, chargerId)).online === online, timeoutMs);
  }

  /**
   * The nodes whose lease lapsed while they ran (a stall longer than NODE_LEASE_TTL: the
   * others showed their chargers offline for a moment), for a failing test's message.
   */
  lapses(): string {
    const lapsed = [...this.nodes.values()].filter((node) => node.logged('this node\'s lease had lapsed; showing its chargers online again').length > 0);
    return lapsed.length ? `leases lapsed on ${lapsed.map((node) => node.id).join(', ')}` : 'no lease lapsed';
  }

  /** Every node's output, for a failing test's message. */
  outputs(): string {
    return [...this.nodes.values()].map((node) => `----- node ${node.id}\n${node.output()}`).join('\n');
  }

  /** Kills every node still running, closes the database handle and drops the database. */
  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.kill().catch(() => undefined)));
    await this.handle.close().catch(() => undefined);
    await this.database.drop();
    await fs.rm(this.tempDir, { recursive: true, force: true });
  }
}
