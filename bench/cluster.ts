/**
 * The cluster row of `npm run bench`: several FlexiCharge nodes (`node dist/main.js`, as
 * `npm start` runs it) on one scratch PostgreSQL database and a NATS server of the bench's
 * own, each node holding the chargers of a load generator process of its own. Measures the
 * connect+boot of all of them, and an admin's command (GetConfiguration through
 * POST /chargers/:id/commands/:action) sent to the charger's own node and to another node,
 * interleaved, so that the cost of routing a command between nodes shows as a ratio.
 *
 * Everything it starts (NATS, the nodes, the generators) is stopped by its PID at the end,
 * also when a step fails or the bench is interrupted, and the scratch database is dropped.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { NatsRoutes } from '../src/cluster/natsRoutes.ts';
import { openNatsLink } from '../src/cluster/natsLink.ts';
import { freePort } from '../test/support/serverProcess.ts';
import { machineMicros, MICROS_PER_TICK } from './cpu.ts';
import { chargerIdentity, type GeneratorCommand, type GeneratorReport } from './ipc.ts';
import { addFailures, type FailureCounts } from './load.ts';
import { CONNECT_CONCURRENCY } from './measure.ts';
import { createScratchDatabase } from './postgres.ts';
import { quantile } from './stats.ts';

export interface ClusterOptions {
  nodes: number;
  /** Chargers held by each node (and so by each generator process). */
  chargersPerNode: number;
  /** Measured commands of each kind (own node, other node). */
  commands: number;
}

/** Latencies of one kind of call, in ms. */
export interface LatencyFigures {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Cores busy on average during a phase (1 = one core all the time). */
export interface ClusterCpu {
  nodes: number;
  generators: number;
  bench: number;
  /** The PostgreSQL server's processes (when on this machine) and the NATS server. */
  services: number;
  /** Everything else on the machine; undefined without /proc. */
  others: number | undefined;
}

export interface ClusterResult {
  nodes: number;
  chargersPerNode: number;
  boot: {
    booted: number;
    /** From telling the generators to start until the last charger's BootNotification was answered. */
    seconds: number;
    /** Until the database showed every booted charger online, on the node that holds it. */
    onlineSeconds: number | undefined;
    failures: FailureCounts;
    cpu: ClusterCpu;
  };
  commands: {
    action: string;
    concurrency: number;
    chargersSampled: number;
    /** Wall time of the whole run of commands, warm-up included, and the calls in it. */
    seconds: number;
    callsTotal: number;
    local: LatencyFigures;
    remote: LatencyFigures;
    /** Errors by kind, e.g. "HTTP 409 chargerOffline": 3. */
    errors: Record<string, number>;
    /** Chargers whose socket closed during the run. */
    socketsLost: number;
    cpu: ClusterCpu;
    /** The routed ask alone (NATS request to the holder, which calls the charger), from the bench: no HTTP, no token, no database. */
    routedAsk: LatencyFigures & { errors: Record<string, number> };
  };
  /** Warnings and errors the nodes logged, by message, during the run. */
  nodeLog: Record<string, number>;
}

type Progress = (line: string) => void;

const HOST = '127.0.0.1';
const ADMIN_EMAIL = 'admin@flexicharge.local';
const ADMIN_PASSWORD = 'bench-password-1';
const COMMAND_ACTION = 'GetConfiguration';
const COMMAND_BODY = { key: ['HeartbeatInterval'] };
/** Commands in flight at a time, local and remote mixed. */
export const COMMAND_CONCURRENCY = 12;
/** Chargers of each node that the commands go to. */
const SAMPLED_PER_NODE = 200;
/** Pairs (local, remote) sent before the measured ones: JIT, connection pools, NATS subscriptions warm. */
const WARMUP_PAIRS = 150;
const READY_TIMEOUT_MS = 60_000;
const ONLINE_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
/** Longer than OCPP_CALL_TIMEOUT (30 s) plus the routing margin, so the node's own timeout answers first. */
const COMMAND_TIMEOUT_MS = 40_000;
const LOG_TAIL_CHARS = 4_000;

/** The nats-server binary: BENCH_NATS_SERVER, else on PATH, else Debian's /usr/sbin. */
async function natsServerBinary(): Promise<string> {
  const candidates = process.env.BENCH_NATS_SERVER
    ? [process.env.BENCH_NATS_SERVER]
    : [...(process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(dir, 'nats-server')), '/usr/sbin/nats-server', '/usr/local/sbin/nats-server'];
  for (const candidate of candidates) {
    if (await fs.access(candidate, fsConstants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new Error('nats-server not found (on PATH or in /usr/sbin): install it (apt-get install nats-server) or set BENCH_NATS_SERVER to its path');
}

/** dist/ must be the code under test: built, and not older than src/. */
async function checkBuild(): Promise<string> {
  const main = path.resolve('dist/main.js');
  const built = await fs.stat(main).then((stat) => stat.mtimeMs, () => undefined);
  if (built === undefined) throw new Error('dist/main.js is missing: run npm run build (npm ci does) first');
  const sources = await fs.readdir('src', { recursive: true });
  for (const file of sources) {
    if (!file.endsWith('.ts') && !file.endsWith('.sql')) continue;
    if ((await fs.stat(path.join('src', file))).mtimeMs > built) throw new Error(`dist/ is older than src/${file}: run npm run build first`);
  }
  return main;
}

/** A TCP port taken by nothing, and not by any port handed out before in this run. */
async function distinctFreePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
}

async function untilListening(port: number, child: ChildProcess, what: string, timeoutMs: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, HOST);
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it listened`);
    if (performance.now() - started > timeoutMs) throw new Error(`${what} did not listen on port ${port} within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time of one process in µs, from /proc; undefined off Linux or once it has gone. */
function processMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
  } catch {
    return undefined;
  }
}

/** CPU µs by PID of the NATS server and of every process named postgres on this machine. */
function servicesMicros(natsPid: number | undefined): Map<number, number> {
  const pids = natsPid === undefined ? [] : [natsPid];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
      } catch {
        // Ended meanwhile.
      }
    }
  } catch {
    // No /proc.
  }
  const micros = new Map<number, number>();
  for (const pid of pids) {
    const used = processMicros(pid);
    if (used !== undefined) micros.set(pid, used);
  }
  return micros;
}

/** Starts metering the cores the nodes, the generators, the bench, PostgreSQL and NATS, and the rest of the machine take; the function returned ends it. */
function meterClusterCpu(nodes: ChildProcess[], generators: ChildProcess[], natsPid: number | undefined): () => ClusterCpu {
  const sum = (children: ChildProcess[]) => children.reduce((total, child) => total + (processMicros(child.pid) ?? 0), 0);
  const before = { nodes: sum(nodes), generators: sum(generators), bench: process.cpuUsage(), services: servicesMicros(natsPid), machine: machineMicros(), at: performance.now() };
  return () => {
    const wall = (performance.now() - before.at) * 1000;
    const nodesMicros = sum(nodes) - before.nodes;
    const generatorsMicros = sum(generators) - before.generators;
    const own = process.cpuUsage(before.bench);
    const benchMicros = own.user + own.system;
    // A database backend started during the phase counts from 0; one that ended is missed (and counts as "others").
    let servicesMicrosUsed = 0;
    for (const [pid, used] of servicesMicros(natsPid)) servicesMicrosUsed += used - (before.services.get(pid) ?? 0);
    const machine = machineMicros();
    const others = machine === undefined || before.machine === undefined
      ? undefined
      : Math.max(0, machine - before.machine - nodesMicros - generatorsMicros - benchMicros - servicesMicrosUsed) / wall;
    return { nodes: nodesMicros / wall, generators: generatorsMicros / wall, bench: benchMicros / wall, services: servicesMicrosUsed / wall, others };
  };
}

/**
 * What the bench started, stopped by PID in reverse order of starting. A SIGINT or SIGTERM
 * to the bench stops them too (and drops the database) before it exits; an exit for any
 * other reason SIGKILLs the processes still running.
 */
class Owned {
  readonly #processes = new Set<ChildProcess>();
  readonly #undo: { what: string; run: () => Promise<void> }[] = [];
  #released: Promise<string[]> | undefined;
  readonly #onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`[cluster] ${signal}: stopping the processes the bench started and dropping its database\n`);
    void this.release().finally(() => process.exit(130));
  };
  readonly #onExit = () => this.#killNow();

  constructor() {
    process.once('SIGINT', this.#onSignal);
    process.once('SIGTERM', this.#onSignal);
    process.once('exit', this.#onExit);
  }

  /** A process to stop by its PID: `signal` first, SIGKILL after STOP_TIMEOUT_MS. */
  process(child: ChildProcess, what: string, stop: (child: ChildProcess) => Promise<void> = (c) => stopByPid(c, 'SIGTERM')): ChildProcess {
    this.#processes.add(child);
    child.once('exit', () => this.#processes.delete(child));
    this.#undo.push({ what, run: () => stop(child) });
    return child;
  }

  later(what: string, run: () => Promise<void>): void {
    this.#undo.push({ what, run });
  }

  /** Undoes everything, last first; what could not be undone is returned (and said on stderr). */
  release(): Promise<string[]> {
    this.#released ??= (async () => {
      const problems: string[] = [];
      for (const { what, run } of this.#undo.reverse()) {
        try {
          await run();
        } catch (error) {
          problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      this.#killNow();
      process.off('SIGINT', this.#onSignal);
      process.off('SIGTERM', this.#onSignal);
      process.off('exit', this.#onExit);
      for (const problem of problems) process.stderr.write(`[cluster] cleaning up: ${problem}\n`);
      return problems;
    })();
    return this.#released;
  }

  #killNow(): void {
    for (const child of this.#processes) {
      if (child.pid === undefined) continue;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` to the process by its PID, and SIGKILL when it has not exited within STOP_TIMEOUT_MS. */
async function stopByPid(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const gone = exited(child);
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return gone;
  try {
    process.kill(child.pid, signal);
  } catch {
    return gone;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([gone.then(() => false), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS); })]);
  clearTimeout(timer);
  if (!late) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
  await gone;
  throw new Error(`PID ${child.pid} did not stop within ${STOP_TIMEOUT_MS / 1000} s of ${signal}; killed`);
}

/** One node: its process, its URLs, and what it logged. */
interface Node {
  index: number;
  id: string;
  child: ChildProcess;
  httpUrl: string;
  chargerUrl: string;
  /** Warnings and errors by message. */
  log: Record<string, number>;
  tail(): string;
}

function startNode(main: string, index: number, env: Record<string, string>, ports: { http: number; ocpp: number }, owned: Owned): Node {
  const id = `bench-node-${index + 1}`;
  const child = owned.process(spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST,
      PORT: String(ports.http),
      OCPP_PORT: String(ports.ocpp),
      NODE_ID: id,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      DEMO_CHARGER: '0',
      SEED: '1',
      // As the other rows: no ping sweep over thousands of sockets inside a measured phase.
      OCPP_PING_INTERVAL: '60',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }), `node ${id}`, async (node) => {
    await stopByPid(node, 'SIGTERM');
    // A graceful stop (sockets closed, the lease ended, the database flushed) exits with 0.
    if (node.exitCode !== 0) throw new Error(`node ${id} exited with ${node.signalCode ?? `code ${node.exitCode}`} after SIGTERM:\n${tail.trim()}`);
  });
  const log: Record<string, number> = {};
  let tail = '';
  let partial = '';
  const read = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-LOG_TAIL_CHARS);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let entry: { level?: number; msg?: string; err?: { message?: string } };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if ((entry.level ?? 0) < 40) continue;
      const message = `${entry.level! >= 50 ? 'error' : 'warn'}: ${entry.msg ?? '?'}${entry.err?.message ? ` (${entry.err.message.split('\n')[0]})` : ''}`;
      log[message] = (log[message] ?? 0) + 1;
    }
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-LOG_TAIL_CHARS); });
  return { index, id, child, httpUrl: `http://${HOST}:${ports.http}`, chargerUrl: `ws://${HOST}:${ports.ocpp}/charger`, log, tail: () => tail.trim() };
}

async function untilHealthy(node: Node): Promise<void> {
  const started = performance.now();
  for (;;) {
    const ok = await fetch(`${node.httpUrl}/health`).then((response) => response.status === 200, () => false);
    if (ok) return;
    if (node.child.exitCode !== null || node.child.signalCode !== null) throw new Error(`node ${node.id} exited (${node.child.signalCode ?? `code ${node.child.exitCode}`}) before it was ready:\n${node.tail()}`);
    if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`node ${node.id} did not answer /health 200 within ${READY_TIMEOUT_MS / 1000} s:\n${node.tail()}`);
    await sleep(50);
  }
}

/** A load generator process, spoken to over IPC. */
class Generator {
  readonly #listeners = new Set<(report: GeneratorReport) => void>();
  readonly #gone: Promise<void>;
  #nextId = 0;

  constructor(readonly child: ChildProcess, readonly what: string) {
    child.on('message', (report: GeneratorReport) => {
      for (const listener of [...this.#listeners]) listener(report);
    });
    // A send racing the child's exit fails here; the exit itself is what gets reported.
    child.on('error', () => {});
    this.#gone = exited(child);
  }

  /** The first report that `pick` accepts; fails on a 'failed' report, on exit, or after `timeoutMs`. */
  next<T>(pick: (report: GeneratorReport) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.#listeners.delete(listener);
        clearTimeout(timer);
      };
      const listener = (report: GeneratorReport) => {
        if (report.type === 'failed') {
          done();
          reject(new Error(`${this.what} failed:\n${report.error}`));
          return;
        }
        const picked = pick(report);
        if (picked === undefined) return;
        done();
        resolve(picked);
      };
      const timer = setTimeout(() => { done(); reject(new Error(`${this.what}: ${what} took longer than ${timeoutMs / 1000} s`)); }, timeoutMs);
      this.#listeners.add(listener);
      void this.#gone.then(() => { done(); reject(new Error(`${this.what} exited (${this.child.signalCode ?? `code ${this.child.exitCode}`}) while waiting for ${what}`)); });
    });
  }

  send(command: GeneratorCommand): void {
    this.child.send(command);
  }

  stats(): Promise<Extract<GeneratorReport, { type: 'stats' }>> {
    const id = ++this.#nextId;
    const answer = this.next((report) => (report.type === 'stats' && report.id === id ? report : undefined), 10_000, 'its counts');
    this.send({ type: 'stats', id });
    return answer;
  }

  /** Closes its sockets (the chargers' own close) and waits for the process to end; SIGKILL by PID when it does not. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = this.next((report) => (report.type === 'closed' ? true : undefined), STOP_TIMEOUT_MS, 'closing its chargers').catch(() => undefined);
    try {
      this.send({ type: 'close' });
    } catch {
      // Gone meanwhile.
    }
    await closed;
    await stopByPid(this.child, 'SIGKILL').catch(() => undefined);
  }
}

function startGenerator(index: number, owned: Owned): Generator {
  // The bench's execArgv carries tsx's loader, so the child runs TypeScript the same way.
  const child = fork(new URL('./clusterGenerator.ts', import.meta.url), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const generator = new Generator(child, `load generator ${index + 1}`);
  owned.process(child, generator.what, () => generator.close());
  return generator;
}

/** Bench chargers 1..total, created in one statement on the first charge point; their connectorIDs by index (1-based). */
async function createChargers(databaseUrl: string, total: number): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number; serial_number: string }>(
      `insert into chargers (serial_number, charge_point_id, latitude, longitude, dialect)
       select 'bench-' || lpad(i::text, 5, '0'), (select min(id) from charge_points), 57.7, 14.1, 'ocpp1.6'
       from generate_series(1, $1::int) as i
       returning id, serial_number`,
      [total],
    );
    const ids = new Map<number, number>();
    for (const row of rows) ids.set(Number(row.serial_number.slice('bench-'.length)), row.id);
    if (chargerIdentity(1) !== 'bench-00001' || ids.size !== total) throw new Error(`created ${ids.size} of ${total} chargers`);
    return ids;
  } finally {
    await client.end();
  }
}

/** Polls until the database shows every bench charger online on the node whose generator holds it; seconds, or undefined on timeout. */
async function untilOnline(databaseUrl: string, expected: Map<string, number>, since: number): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = performance.now() + ONLINE_TIMEOUT_MS;
    while (performance.now() < deadline) {
      const { rows } = await client.query<{ node_id: string | null; n: string }>(
        `select node_id, count(*) as n from chargers where online and serial_number like 'bench-%' group by node_id`,
      );
      const seen = new Map(rows.map((row) => [row.node_id ?? '', Number(row.n)]));
      if ([...expected].every(([node, n]) => seen.get(node) === n) && seen.size === expected.size) return (performance.now() - since) / 1000;
      await sleep(50);
    }
    return undefined;
  } finally {
    await client.end();
  }
}

async function signIn(node: Node): Promise<string> {
  const response = await fetch(`${node.httpUrl}/admin/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  const body = await response.json() as { accessToken?: string };
  if (response.status !== 200 || !body.accessToken) throw new Error(`admin sign-in on ${node.id} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.accessToken;
}

interface CommandTask {
  chargerId: number;
  via: Node;
  kind: 'local' | 'remote';
  measured: boolean;
}

/** The sampled chargers' connectorIDs of each node: `perNode` spread evenly over its chargers. */
function sampleChargers(ids: Map<number, number>, nodes: number, chargersPerNode: number, perNode: number): number[][] {
  return Array.from({ length: nodes }, (_, node) => Array.from({ length: perNode }, (_, j) => {
    const index = node * chargersPerNode + 1 + Math.floor((j * chargersPerNode) / perNode);
    return ids.get(index)!;
  }));
}

/**
 * Pairs of the same command to the same charger, one through its own node and one through
 * another (the two others in turn), in one queue that COMMAND_CONCURRENCY workers take from
 * in order: local and remote calls are in flight side by side, so machine noise hits both.
 */
function commandTasks(nodes: Node[], sampled: number[][], measuredPairs: number): CommandTask[] {
  const tasks: CommandTask[] = [];
  for (let pair = 0; pair < WARMUP_PAIRS + measuredPairs; pair++) {
    const holder = pair % nodes.length;
    const round = Math.floor(pair / nodes.length);
    const chargers = sampled[holder]!;
    const chargerId = chargers[round % chargers.length]!;
    const other = nodes[(holder + 1 + (round % (nodes.length - 1))) % nodes.length]!;
    const measured = pair >= WARMUP_PAIRS;
    // Which of the two goes first alternates too.
    const local: CommandTask = { chargerId, via: nodes[holder]!, kind: 'local', measured };
    const remote: CommandTask = { chargerId, via: other, kind: 'remote', measured };
    tasks.push(...(round % 2 === 0 ? [local, remote] : [remote, local]));
  }
  return tasks;
}

/** Runs `call` over the tasks with `concurrency` in flight; latencies of the measured ones by kind, failures by kind of error. */
async function runPool<T extends { measured: boolean }>(tasks: T[], concurrency: number, kindOf: (task: T) => string, call: (task: T) => Promise<void>) {
  const latencies = new Map<string, number[]>();
  const errors: Record<string, number> = {};
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      const started = performance.now();
      try {
        await call(task);
      } catch (error) {
        const kind = error instanceof Error ? error.message : String(error);
        errors[kind] = (errors[kind] ?? 0) + 1;
        continue;
      }
      if (!task.measured) continue;
      const kind = kindOf(task);
      if (!latencies.has(kind)) latencies.set(kind, []);
      latencies.get(kind)!.push(performance.now() - started);
    }
  }));
  return { latencies, errors };
}

function figures(samples: number[] | undefined): LatencyFigures {
  const sorted = Float64Array.from(samples ?? []).sort();
  return { calls: sorted.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN };
}

async function sendCommand(task: CommandTask, token: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${task.via.httpUrl}/chargers/${task.chargerId}/commands/${COMMAND_ACTION}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(COMMAND_BODY),
      signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`${task.kind}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${COMMAND_TIMEOUT_MS / 1000} s` : `request failed (${(error as Error).message})`}`);
  }
  const body = await response.json().catch(() => undefined) as { status?: string; response?: { configurationKey?: unknown[] }; code?: string; errorCodes?: string[] } | undefined;
  if (response.status !== 200) throw new Error(`${task.kind}: HTTP ${response.status} ${body?.errorCodes?.join(',') ?? body?.code ?? ''}`.trim());
  if (body?.status !== 'Answered' || !Array.isArray(body.response?.configurationKey)) throw new Error(`${task.kind}: unexpected answer ${JSON.stringify(body).slice(0, 200)}`);
}

/**
 * The same GetConfiguration as a routed ask alone, as another node sends it (the product's
 * NatsRoutes over a NATS connection of the bench's own): the hop, the holder serving it, and
 * the charger's round trip, without HTTP, the admin's token or the charger lookup.
 */
async function measureRoutedAsk(natsUrl: string, prefix: string, sampled: number[][], calls: number): Promise<ClusterResult['commands']['routedAsk']> {
  const link = await openNatsLink({ servers: natsUrl, prefix, nodeId: 'bench-asker', logger: pino({ level: 'silent' }) });
  try {
    const routes = new NatsRoutes(link);
    const all = sampled.flat();
    const tasks = Array.from({ length: WARMUP_PAIRS + calls }, (_, n) => ({ chargerId: all[n % all.length]!, measured: n >= WARMUP_PAIRS }));
    const { latencies, errors } = await runPool(tasks, COMMAND_CONCURRENCY, () => 'ask', async ({ chargerId }) => {
      const result = await routes.ask(chargerId, { kind: 'command', action: COMMAND_ACTION, request: COMMAND_BODY }, COMMAND_TIMEOUT_MS);
      if (!result.held) throw new Error('no node holds the charger');
      if (!Array.isArray((result.value as { configurationKey?: unknown }).configurationKey)) throw new Error('unexpected answer');
    });
    return { ...figures(latencies.get('ask')), errors };
  } finally {
    await link.close();
  }
}

function mergeLogs(nodes: Node[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const node of nodes) {
    for (const [message, n] of Object.entries(node.log)) merged[`${node.id} ${message}`] = n;
  }
  return merged;
}

/** The whole cluster row on a scratch database of the PostgreSQL server at `serverUrl`. */
export async function measureCluster(serverUrl: string, options: ClusterOptions, progress: Progress): Promise<ClusterResult> {
  const main = await checkBuild();
  const nats = await natsServerBinary();
  const owned = new Owned();
  let failure: unknown;
  try {
    const ports = new Set<number>();
    const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-cluster-'));
    owned.later(`removing ${tempDir}`, () => fs.rm(tempDir, { recursive: true, force: true }));

    const natsPort = await distinctFreePort(ports);
    progress(`NATS: ${nats} on ${HOST}:${natsPort}`);
    const natsChild = owned.process(spawn(nats, ['-a', HOST, '-p', String(natsPort)], { stdio: ['ignore', 'ignore', 'ignore'] }), 'nats-server');
    natsChild.on('error', () => {});
    await untilListening(natsPort, natsChild, 'nats-server', 10_000);
    const natsUrl = `nats://${HOST}:${natsPort}`;
    const prefix = `fcbench_${randomBytes(4).toString('hex')}`;

    const database = await createScratchDatabase(serverUrl);
    owned.later('dropping the scratch database', () => database.drop());

    progress(`starting ${options.nodes} nodes (node dist/main.js) on a scratch database`);
    const nodes: Node[] = [];
    for (let index = 0; index < options.nodes; index++) {
      const dataDir = path.join(tempDir, `node-${index + 1}`);
      await fs.mkdir(dataDir);
      const nodePorts = { http: await distinctFreePort(ports), ocpp: await distinctFreePort(ports) };
      nodes.push(startNode(main, index, { DATABASE_URL: database.url, NATS_URL: natsUrl, NATS_PREFIX: prefix, DATA_DIR: dataDir }, nodePorts, owned));
    }
    // Started together, as a deployment does: migration, seeding and the first admin must hold up to that.
    await Promise.all(nodes.map(untilHealthy));

    const total = options.nodes * options.chargersPerNode;
    progress(`creating ${total.toLocaleString('en-US')} chargers`);
    const ids = await createChargers(database.url, total);
    const token = await signIn(nodes[0]!);

    const generators = nodes.map((_, index) => startGenerator(index, owned));
    await Promise.all(generators.map((generator) => generator.next((report) => (report.type === 'ready' ? true : undefined), 60_000, 'its start')));

    progress(`connect+boot: ${options.nodes} × ${options.chargersPerNode.toLocaleString('en-US')} chargers, one generator process per node, ${CONNECT_CONCURRENCY} at a time each`);
    const stopBootCpu = meterClusterCpu(nodes.map((node) => node.child), generators.map((generator) => generator.child), natsChild.pid);
    const bootStarted = performance.now();
    const booted = Promise.all(generators.map((generator) => generator.next((report) => (report.type === 'booted' ? report : undefined), 120_000, 'connect+boot')));
    generators.forEach((generator, index) => generator.send({
      type: 'connect', chargerUrl: nodes[index]!.chargerUrl, first: index * options.chargersPerNode + 1, count: options.chargersPerNode, concurrency: CONNECT_CONCURRENCY,
    }));
    const bootReports = await booted;
    const bootSeconds = (performance.now() - bootStarted) / 1000;
    const bootCpu = stopBootCpu();
    const bootFailures: FailureCounts = {};
    for (const report of bootReports) addFailures(bootFailures, report.failures as FailureCounts);
    const expectedOnline = new Map(nodes.flatMap((node, index) => (bootReports[index]!.booted ? [[node.id, bootReports[index]!.booted] as const] : [])));
    const onlineSeconds = await untilOnline(database.url, expectedOnline, bootStarted);
    progress(`booted ${bootReports.reduce((sum, report) => sum + report.booted, 0)} in ${bootSeconds.toFixed(2)} s; online in the database after ${onlineSeconds === undefined ? `more than ${ONLINE_TIMEOUT_MS / 1000} s` : `${onlineSeconds.toFixed(2)} s`}`);

    const sampledPerNode = Math.min(SAMPLED_PER_NODE, options.chargersPerNode);
    const sampled = sampleChargers(ids, options.nodes, options.chargersPerNode, sampledPerNode);
    progress(`${COMMAND_ACTION} through HTTP: ${options.commands} on the charger's own node and ${options.commands} on another, interleaved, ${COMMAND_CONCURRENCY} in flight (+ ${WARMUP_PAIRS} pairs warm-up)`);
    const stopCommandCpu = meterClusterCpu(nodes.map((node) => node.child), generators.map((generator) => generator.child), natsChild.pid);
    const tasks = commandTasks(nodes, sampled, options.commands);
    const commandsStarted = performance.now();
    const run = await runPool(tasks, COMMAND_CONCURRENCY, (task) => task.kind, (task) => sendCommand(task, token));
    const commandSeconds = (performance.now() - commandsStarted) / 1000;
    const commandCpu = stopCommandCpu();
    progress(`the routed ask alone (NATS, no HTTP): ${options.commands} ${COMMAND_ACTION}`);
    const routedAsk = await measureRoutedAsk(natsUrl, prefix, sampled, options.commands);
    const stats = await Promise.all(generators.map((generator) => generator.stats()));
    const open = stats.reduce((sum, report) => sum + report.open, 0);
    const bootedTotal = bootReports.reduce((sum, report) => sum + report.booted, 0);

    return {
      nodes: options.nodes,
      chargersPerNode: options.chargersPerNode,
      boot: { booted: bootedTotal, seconds: bootSeconds, onlineSeconds, failures: bootFailures, cpu: bootCpu },
      commands: {
        action: COMMAND_ACTION,
        concurrency: COMMAND_CONCURRENCY,
        chargersSampled: sampledPerNode * options.nodes,
        seconds: commandSeconds,
        callsTotal: tasks.length,
        local: figures(run.latencies.get('local')),
        remote: figures(run.latencies.get('remote')),
        errors: run.errors,
        socketsLost: bootedTotal - open,
        cpu: commandCpu,
        routedAsk,
      },
      nodeLog: mergeLogs(nodes),
    };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    progress('stopping the generators, the nodes and NATS; dropping the scratch database');
    const problems = await owned.release();
    // A failed cleanup fails the row, unless the row failed already (then that is the news).
    if (problems.length && failure === undefined) throw new Error(`cleaning up failed: ${problems.join('; ')}`);
  }
}
