/**
 * `npm run bench:startup [-- --runs N --idle S]`: how fast the compiled server (as `npm start`
 * runs it) answers /health 200, and how much memory it holds once idle, on an empty embedded
 * data directory, on an existing one, and on PostgreSQL when BENCH_DATABASE_URL names a server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/serverProcess.ts';
import { createScratchDatabase } from './postgres.ts';

const READY_TIMEOUT_MS = 60_000;
const TARGETS = { readyExistingSeconds: 1.5, rssPostgresMb: 150, rssEmbeddedMb: 250 };

interface Start {
  readySeconds: number;
  rssMb: number;
  peakMb: number;
}

/** VmRSS and VmHWM of a live process, in MB (Linux's /proc). */
async function memory(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)![1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function healthy(url: string): Promise<boolean> {
  return fetch(url).then((response) => response.status === 200, () => false);
}

/** One start of dist/main.js: ready time, then memory after `idleSeconds` of nothing. */
async function startOnce(env: Record<string, string>, idleSeconds: number): Promise<Start> {
  const [port, ocppPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), OCPP_PORT: String(ocppPort), LOG_LEVEL: 'warn', DEMO_CHARGER: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    while (!(await healthy(`http://127.0.0.1:${port}/health`))) {
      if (child.exitCode !== null) throw new Error(`the server exited: ${stderr.trim()}`);
      if (performance.now() - started > READY_TIMEOUT_MS) throw new Error('the server was not ready within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const readySeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    return { readySeconds, ...(await memory(child.pid!)) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Scenario {
  label: string;
  starts: Start[];
}

async function embedded(runs: number, idle: number): Promise<Scenario[]> {
  const first: Start[] = [];
  const existing: Start[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-startup-'));
    try {
      first.push(await startOnce({ DATA_DIR: dataDir }, idle));
      existing.push(await startOnce({ DATA_DIR: dataDir }, idle));
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }
  return [
    { label: 'embedded, empty data directory (creates, migrates, seeds)', starts: first },
    { label: 'embedded, existing data directory', starts: existing },
  ];
}

async function postgres(serverUrl: string, runs: number, idle: number): Promise<Scenario[]> {
  const first: Start[] = [];
  const existing: Start[] = [];
  for (let run = 0; run < runs; run++) {
    const database = await createScratchDatabase(serverUrl);
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-startup-'));
    try {
      first.push(await startOnce({ DATABASE_URL: database.url, DATA_DIR: dataDir }, idle));
      existing.push(await startOnce({ DATABASE_URL: database.url, DATA_DIR: dataDir }, idle));
    } finally {
      await database.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }
  return [
    { label: `PostgreSQL on ${new URL(serverUrl).host}, empty database (migrates, seeds)`, starts: first },
    { label: `PostgreSQL on ${new URL(serverUrl).host}, existing database`, starts: existing },
  ];
}

function render(scenarios: Scenario[], runs: number, idle: number): string {
  const rows = scenarios.map(({ label, starts }) => {
    const ready = starts.map((start) => start.readySeconds);
    return `| ${label} | ${median(ready).toFixed(2)} s (${Math.min(...ready).toFixed(2)}–${Math.max(...ready).toFixed(2)}) | ${median(starts.map((start) => start.rssMb)).toFixed(0)} MB | ${median(starts.map((start) => start.peakMb)).toFixed(0)} MB |`;
  });
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const find = (prefix: string, suffix: string) => scenarios.find(({ label }) => label.startsWith(prefix) && label.endsWith(suffix));
  const targets: string[] = [];
  for (const [prefix, limit] of [['embedded', TARGETS.rssEmbeddedMb], ['PostgreSQL', TARGETS.rssPostgresMb]] as const) {
    const scenario = find(prefix, 'existing data directory') ?? find(prefix, 'existing database');
    if (!scenario) continue;
    const ready = median(scenario.starts.map((start) => start.readySeconds));
    const rss = median(scenario.starts.map((start) => start.rssMb));
    targets.push(`- ${prefix}: ready ≤ ${TARGETS.readyExistingSeconds} s: ${ready.toFixed(2)} s — ${verdict(ready <= TARGETS.readyExistingSeconds)}; idle RSS ≤ ${limit} MB: ${rss.toFixed(0)} MB — ${verdict(rss <= limit)}`);
  }
  const emptyEmbedded = find('embedded', '(creates, migrates, seeds)');
  if (emptyEmbedded) {
    const rss = median(emptyEmbedded.starts.map((start) => start.rssMb));
    targets.push(`- embedded, first start: idle RSS ≤ ${TARGETS.rssEmbeddedMb} MB: ${rss.toFixed(0)} MB — ${verdict(rss <= TARGETS.rssEmbeddedMb)}`);
  }
  return [
    `${new Date().toISOString()} · Node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}`,
    '',
    '| start | ready (/health 200), median (min–max) | idle RSS | peak RSS |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
    `${runs} starts each of \`node dist/main.js\` (what \`npm start\` runs), from spawning the process until /health answers 200; RSS after ${idle} s idle (VmRSS), peak is VmHWM.`,
    '',
    'Targets:',
    ...targets,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, idle: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const idle = Number(values.idle);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error(`--runs must be a whole number from 1 to 20, not "${values.runs}"`);
  if (!Number.isFinite(idle) || idle < 0 || idle > 60) throw new Error(`--idle must be a number of seconds from 0 to 60, not "${values.idle}"`);
  await fs.access('dist/main.js').catch(() => { throw new Error('dist/main.js is missing: run npm run build (npm ci does) first'); });
  const scenarios = await embedded(runs, idle);
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) scenarios.push(...(await postgres(serverUrl, runs, idle)));
  process.stdout.write(`${render(scenarios, runs, idle)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench:startup: ${error.message}\n`);
  process.exitCode = 1;
});
