/**
 * `npm run bench [-- --chargers N --seconds S --idle N --boots N --cluster-chargers N --commands N
 * --balance-chargers N,M --balance-starts N --only a,b,c,d,e]`:
 * the same OCPP load against (a) a bare ws server, (b) ocpp-rpc in strict mode and (c)
 * FlexiCharge (embedded database; also PostgreSQL when BENCH_DATABASE_URL is set), (d)
 * FlexiCharge as three nodes over NATS on PostgreSQL (BENCH_DATABASE_URL), and (e) a site's
 * load balancer after each session start (both databases, as c), printed as Markdown and
 * written to bench/results.md.
 */
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ServerSpec } from './ipc.ts';
import { TcpProxy } from '../test/support/tcpProxy.ts';
import { forkServer } from './childServer.ts';
import { measureBalancing, type BalancingOptions } from './balancing.ts';
import { measureCluster, type ClusterOptions } from './cluster.ts';
import { measureServer, type BenchOptions, type ServerFactory } from './measure.ts';
import { createScratchDatabase } from './postgres.ts';
import { renderReport, type BalancingRow, type ClusterRow, type Row } from './report.ts';

/** Server and load generator are separate processes, but the generator holds one socket per charger under a 20,000 descriptor limit. */
const MAX_CHARGERS = 5000;
/** The cluster row's nodes, each with a generator process of its own (so up to ~19,900 sockets each). */
const CLUSTER_NODES = 3;
const MAX_CLUSTER_CHARGERS_PER_NODE = 19_000;
/** Chargers on one balanced site: the simulators live in the bench process, one socket each. */
const MAX_BALANCE_CHARGERS = 1000;
const KEYS = ['a', 'b', 'c', 'd', 'e'];
const RESULTS_FILE = new URL('./results.md', import.meta.url);

interface Target {
  key: Row['key'];
  label: string;
  spec: Omit<ServerSpec, 'chargers'>;
  /** A PostgreSQL server on which to create (and afterwards drop) a fresh database. */
  postgresServerUrl?: string;
}

class UsageError extends Error {}

function positiveInt(name: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}, not "${value}"`);
  return n;
}

function readArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        chargers: { type: 'string', default: '100' },
        seconds: { type: 'string', default: '10' },
        idle: { type: 'string', default: '2000' },
        boots: { type: 'string', default: '5000' },
        'cluster-chargers': { type: 'string', default: '5000' },
        commands: { type: 'string', default: '3000' },
        'balance-chargers': { type: 'string', default: '10,100' },
        'balance-starts': { type: 'string', default: '30' },
        only: { type: 'string', default: KEYS.join(',') },
      },
      strict: true,
    }).values;
  } catch (error) {
    // Unknown flags and missing values: a usage error, not a crash.
    throw new UsageError((error as Error).message);
  }
}

function parseOptions(argv: string[]): { options: BenchOptions; cluster: ClusterOptions; balancing: BalancingOptions; only: Set<string> } {
  const values = readArgs(argv);
  const only = new Set(values.only.split(',').map((key) => key.trim()).filter(Boolean));
  const unknown = [...only].filter((key) => !KEYS.includes(key));
  if (unknown.length || only.size === 0) throw new UsageError(`--only takes a comma-separated list of ${KEYS.join(', ')}, not "${values.only}"`);
  return {
    options: {
      chargers: positiveInt('chargers', values.chargers, MAX_CHARGERS),
      seconds: positiveInt('seconds', values.seconds, 600),
      idle: positiveInt('idle', values.idle, MAX_CHARGERS),
      boots: positiveInt('boots', values.boots, MAX_CHARGERS),
    },
    cluster: {
      nodes: CLUSTER_NODES,
      chargersPerNode: positiveInt('cluster-chargers', values['cluster-chargers'], MAX_CLUSTER_CHARGERS_PER_NODE),
      commands: positiveInt('commands', values.commands, 100_000),
    },
    balancing: {
      // A site of one charger has nothing to share.
      sizes: values['balance-chargers'].split(',').map((size) => {
        const n = positiveInt('balance-chargers', size.trim(), MAX_BALANCE_CHARGERS);
        if (n < 2) throw new UsageError('--balance-chargers takes site sizes of at least 2 chargers');
        return n;
      }),
      starts: positiveInt('balance-starts', values['balance-starts'], 10_000),
    },
    only,
  };
}

/** The cluster row (d): measured on a PostgreSQL server, or skipped with the reason when there is none. */
async function clusterRow(options: ClusterOptions): Promise<ClusterRow> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const label = `FlexiCharge, ${options.nodes} nodes over NATS${serverUrl ? ` (PostgreSQL on ${new URL(serverUrl).host})` : ''}`;
  if (!serverUrl) {
    const reason = 'skipped: it needs a PostgreSQL server the nodes share; set BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)';
    process.stderr.write(`[${label}] ${reason}\n`);
    return { label, outcome: { ok: false, skipped: reason } };
  }
  const progress = (line: string) => process.stderr.write(`[${label}] ${line}\n`);
  try {
    return { label, outcome: { ok: true, result: await measureCluster(serverUrl, options, progress) } };
  } catch (error) {
    return { label, outcome: { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } };
  }
}

function targets(only: Set<string>): Target[] {
  const all: Target[] = [
    { key: 'a', label: 'bare ws', spec: { kind: 'bare-ws' } },
    { key: 'b', label: 'ocpp-rpc strict', spec: { kind: 'ocpp-rpc' } },
    { key: 'c', label: 'FlexiCharge (embedded PGlite)', spec: { kind: 'flexicharge' } },
  ];
  const postgres = process.env.BENCH_DATABASE_URL;
  if (postgres) {
    // Host and port only: the URL may hold a password.
    all.push({ key: 'c', label: `FlexiCharge (PostgreSQL on ${new URL(postgres).host})`, spec: { kind: 'flexicharge' }, postgresServerUrl: postgres });
  }
  return all.filter((target) => only.has(target.key));
}

/** A fresh server for `target`: a new embedded database, or a scratch database on the PostgreSQL server behind a proxy the bench can cut. */
function serverFactory(target: Target): ServerFactory {
  return async (chargers) => {
    if (!target.postgresServerUrl) {
      const server = await forkServer({ ...target.spec, chargers });
      return { server, close: () => server.close() };
    }
    const database = await createScratchDatabase(target.postgresServerUrl);
    const scratch = new URL(database.url);
    const proxy = await TcpProxy.start({ host: scratch.hostname, port: Number(scratch.port || 5432) });
    const dispose = async () => {
      await proxy.close();
      await database.drop();
    };
    try {
      scratch.port = String(proxy.port);
      const server = await forkServer({ ...target.spec, chargers, databaseUrl: scratch.toString() });
      return {
        server,
        database: { cut: () => proxy.cut('reset'), restore: () => proxy.restore() },
        async close() {
          await server.close();
          await dispose();
        },
      };
    } catch (error) {
      await dispose();
      throw error;
    }
  };
}

/** A fresh server for the balancing part: a new embedded database, or a scratch database reached directly (nothing to cut here). */
function balancingServerFactory(postgresServerUrl: string | undefined): ServerFactory {
  return async (chargers) => {
    if (!postgresServerUrl) {
      const server = await forkServer({ kind: 'flexicharge', chargers });
      return { server, close: () => server.close() };
    }
    const database = await createScratchDatabase(postgresServerUrl);
    try {
      const server = await forkServer({ kind: 'flexicharge', chargers, databaseUrl: database.url });
      return {
        server,
        async close() {
          await server.close();
          await database.drop();
        },
      };
    } catch (error) {
      await database.drop();
      throw error;
    }
  };
}

/** The balancing part (e): embedded, and on PostgreSQL when BENCH_DATABASE_URL is set. */
async function balancingRows(options: BalancingOptions): Promise<BalancingRow[]> {
  const postgres = process.env.BENCH_DATABASE_URL;
  const targets = [
    { label: 'FlexiCharge (embedded PGlite)', postgresServerUrl: undefined },
    ...(postgres ? [{ label: `FlexiCharge (PostgreSQL on ${new URL(postgres).host})`, postgresServerUrl: postgres }] : []),
  ];
  const rows: BalancingRow[] = [];
  for (const { label, postgresServerUrl } of targets) {
    const progress = (line: string) => process.stderr.write(`[balancing, ${label}] ${line}\n`);
    const separateDatabase = postgresServerUrl !== undefined;
    try {
      rows.push({ label, separateDatabase, outcome: { ok: true, results: await measureBalancing(balancingServerFactory(postgresServerUrl), options, progress) } });
    } catch (error) {
      rows.push({ label, separateDatabase, outcome: { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } });
    }
  }
  return rows;
}

async function measure(target: Target, options: BenchOptions): Promise<Row['outcome']> {
  const progress = (line: string) => process.stderr.write(`[${target.label}] ${line}\n`);
  try {
    return { ok: true, measurements: await measureServer(serverFactory(target), options, progress, { ingest: target.spec.kind === 'flexicharge' }) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\nusage: npm run bench -- [--chargers 100] [--seconds 10] [--idle 2000] [--boots 5000] [--cluster-chargers 5000] [--commands 3000] [--balance-chargers 10,100] [--balance-starts 30] [--only a,b,c,d,e]\n`);
    process.exitCode = 2;
    return;
  }
  const { options, cluster: clusterOptions, balancing: balancingOptions, only } = parsed;
  const rows: Row[] = [];
  // One server after another, so that no two compete for the machine's cores.
  for (const target of targets(only)) {
    rows.push({ key: target.key, label: target.label, separateDatabase: Boolean(target.postgresServerUrl), outcome: await measure(target, options) });
  }
  const balancing = only.has('e') ? await balancingRows(balancingOptions) : undefined;
  // Last, and alone on the machine: three nodes, their generators, PostgreSQL and NATS share its cores.
  const cluster = only.has('d') ? await clusterRow(clusterOptions) : undefined;
  const report = renderReport(rows, options, cluster, balancing);
  process.stdout.write(`\n${report}`);
  await fs.writeFile(RESULTS_FILE, report);
  const failed = rows.some((row) => !row.outcome.ok) || (cluster && !cluster.outcome.ok && 'error' in cluster.outcome) || balancing?.some((row) => !row.outcome.ok);
  if (failed) process.exitCode = 1;
}

await main();
