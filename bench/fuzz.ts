/**
 * `npm run fuzz -- [--frames 200000] [--seed N] [--chargers 4] [--database-url postgres://…] [--max-minutes 60]`:
 * the long fuzz run. Starts the real server the way `npm start` does, on a temp
 * embedded database (or a scratch database on the given PostgreSQL server), sends it
 * fuzz frames from seeded chargers (test/support/fuzzFrames.ts) and watches its memory.
 * Exits 1 on an InternalError, an unanswered CALL, a CALLERROR to a transaction
 * message, a closed connection, a server that stopped, or peak RSS over 1.5× idle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { runFuzz, type FuzzReport } from '../test/support/fuzzDriver.ts';
import { createScratchDatabase, type ScratchDatabase } from './postgres.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Seeded chargers: known serials the server admits. */
const SERIALS = ['abc111', 'abc112', 'abc113', 'abc114', 'abc115', 'abc116', 'abc117', 'abc118', 'abc119'];
/** Starting includes creating and seeding a fresh database. */
const START_TIMEOUT_MS = 120_000;
const SETTLE_MS = 3000;
/** Idle RSS swings by a few hundred MB as garbage is collected, so it is the median over this window. */
const IDLE_WINDOW_MS = 5000;
const SAMPLE_MS = 100;
const PRINT_EVERY_TICKS = 10;
const ANSWER_TIMEOUT_MS = 30_000;
/** No answer at all for this long: the server hangs, and the run stops instead of timing out frame by frame. */
const STALL_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const MAX_PEAK_RATIO = 1.5;
const TAIL_CHARS = 4000;

class UsageError extends Error {}

function readOptions(argv: string[]) {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        frames: { type: 'string', default: '200000' },
        seed: { type: 'string', default: '1' },
        chargers: { type: 'string', default: '4' },
        'database-url': { type: 'string' },
        'max-minutes': { type: 'string', default: '60' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const whole = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${value}"`);
    return n;
  };
  return {
    frames: whole('frames', values.frames, 1, 10_000_000),
    seed: whole('seed', values.seed, 0, 2 ** 32 - 1),
    chargers: whole('chargers', values.chargers, 1, SERIALS.length),
    databaseUrl: values['database-url'],
    maxMinutes: whole('max-minutes', values['max-minutes'], 1, 24 * 60),
  };
}

/** VmRSS and VmHWM of a process, in bytes; undefined once it is gone. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  let status: string;
  try {
    status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

interface Server {
  child: ChildProcess;
  apiUrl: string;
  ocppUrl: string;
  exited: Promise<void>;
  /** Error and fatal log lines by message, counted as the server prints them. */
  errorLogs: Map<string, number>;
  outputTail(): string;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Runs src/main.ts as `npm start` does and waits for the URLs it prints. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close', not 'exit': by then its output has been read to the end.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let tail = '';
  let printed = '';
  let partial = '';
  const errorLogs = new Map<string, number>();
  const keep = (text: string) => { tail = (tail + text).slice(-TAIL_CHARS); };
  // pino writes JSON lines to stdout; error (50) and fatal (60) are what the report needs.
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    keep(text);
    if (printed.length < TAIL_CHARS) printed += text;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((entry.level ?? 0) < 50) continue;
        const key = `${entry.msg ?? ''}: ${(entry.err?.message ?? '').slice(0, 120)}`;
        errorLogs.set(key, (errorLogs.get(key) ?? 0) + 1);
      } catch {
        // A line that only looks like JSON is kept in the tail and otherwise ignored.
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', keep);

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const api = /^\s*API\s+(\S+)/m.exec(printed)?.[1];
    const ocpp = /^\s*OCPP\s+(ws:\/\/\S+?)\/charger\//m.exec(printed)?.[1];
    if (api && ocpp) return { child, apiUrl: api, ocppUrl: ocpp, exited, errorLogs, outputTail: () => tail };
    const problem = !alive(child) ? 'exited before it was ready' : Date.now() > deadline ? `did not print its URLs within ${START_TIMEOUT_MS / 1000} s` : undefined;
    if (problem) {
      await stopServer({ child, exited });
      throw new Error(`the server ${problem}:\n${tail.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopServer(server: Pick<Server, 'child' | 'exited'>): Promise<void> {
  if (alive(server.child)) server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await server.exited;
  clearTimeout(timer);
}

/** A Heartbeat on a fresh connection: does the server still serve chargers? */
function heartbeat(ocppUrl: string, identity: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${ocppUrl}/charger/${identity}`, ['ocpp1.6']);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 10_000);
    socket.once('open', () => socket.send(JSON.stringify([2, 'after-fuzz', 'Heartbeat', {}])));
    socket.on('message', (data) => {
      try {
        const frame = JSON.parse(data.toString()) as unknown[];
        if (frame[1] === 'after-fuzz') done(frame[0] === 3);
      } catch {
        done(false);
      }
    });
    socket.once('error', () => done(false));
  });
}

async function health(apiUrl: string): Promise<number | string> {
  try {
    return (await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch (error) {
    return (error as Error).message;
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function printReport(report: FuzzReport, lines: string[]): void {
  const list = <T>(title: string, tally: { count: number; first: T[] }) => {
    lines.push(`${title}: ${tally.count}`);
    for (const item of tally.first) lines.push(`  ${JSON.stringify(item)}`);
  };
  const rate = report.elapsedMs > 0 ? (report.sent / (report.elapsedMs / 1000)).toFixed(0) : '-';
  lines.push(`frames sent: ${report.sent} in ${(report.elapsedMs / 1000).toFixed(1)} s (${rate} frames/s)${report.stoppedBy ? `, stopped early: ${report.stoppedBy}` : ''}`);
  lines.push(`answers: ${report.answered} of ${report.calls} due; stray answers: ${report.strays.late} late, ${report.strays.toAnswerFrames} to CALLRESULT/CALLERROR frames, ${report.strays.unknown.count} unknown`);
  lines.push(`by code: ${Object.entries(report.byCode).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ')}`);
  lines.push('by action:');
  for (const [action, codes] of Object.entries(report.byAction).sort()) {
    lines.push(`  ${action}: ${Object.entries(codes).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ')}`);
  }
  list('internal errors', report.internalErrors);
  list('transaction CALLERRORs', report.transactionCallErrors);
  list('unanswered CALLs', report.unanswered);
  list('unknown stray answers', report.strays.unknown);
  lines.push(`connections closed by the server: ${report.closes}`);
  for (const close of report.closeDetails) lines.push(`  ${JSON.stringify(close)}`);
  lines.push('slowest answers:');
  for (const slow of report.slowest) lines.push(`  ${slow.ms} ms at ${(slow.atMs / 1000).toFixed(1)} s: ${slow.action ?? '-'} ${slow.kind}`);
}

async function main(): Promise<number> {
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\nusage: npm run fuzz -- [--frames 200000] [--seed 1] [--chargers 4] [--database-url postgres://…] [--max-minutes 60]\n`);
    return 2;
  }

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-fuzz-'));
  let scratch: ScratchDatabase | undefined;
  let server: Server | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      // A second Ctrl-C does not wait for the clean-up, but still leaves no server or files behind.
      server?.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      if (scratch) process.stderr.write(`the scratch database at ${scratch.url.replace(/\/\/[^@/]*@/, '//')} is left behind\n`);
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write('\ninterrupted: stopping the run and cleaning up (Ctrl-C again to leave at once)\n');
    abort.abort('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const limit = setTimeout(() => abort.abort(`time limit of ${options.maxMinutes} minutes`), options.maxMinutes * 60_000);
  try {
    if (options.databaseUrl) scratch = await createScratchDatabase(options.databaseUrl);
    server = await startServer({
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1', PORT: '0', OCPP_PORT: '0', LOG_LEVEL: 'warn', DEMO_CHARGER: '0',
      ADMIN_PASSWORD: 'fuzz-password-1', DATA_DIR: dataDir,
      // Set either way, so a .env in the repository cannot point the run at a real database.
      DATABASE_URL: scratch?.url ?? '', USE_LOCAL_DATABASE: scratch ? '0' : '1',
    });
    const running = server;
    const pid = running.child.pid!;
    process.stderr.write(`server pid ${pid}: API ${running.apiUrl}, OCPP ${running.ocppUrl}${scratch ? ', PostgreSQL' : ', embedded database'}\n`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    let idleRss = 0;
    let peakRss = 0;
    let lastAnswered = 0;
    let lastAnswerAt = Date.now();
    let ticks = 0;
    const identities = SERIALS.slice(0, options.chargers);
    const report = await runFuzz({
      ocppUrl: running.ocppUrl, identities, frames: options.frames, seed: options.seed, concurrency: identities.length,
      answerTimeoutMs: ANSWER_TIMEOUT_MS, signal: abort.signal,
      // Seeded chargers speak the FlexiCharge dialect; the last one keeps answering that way.
      legacyAnswers: identities.slice(-1),
      async onConnected() {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const window: number[] = [];
        for (let waited = 0; waited < IDLE_WINDOW_MS; waited += SAMPLE_MS) {
          const memory = await memoryOf(pid);
          if (memory) window.push(memory.rss);
          await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
        }
        window.sort((a, b) => a - b);
        idleRss = window[Math.floor(window.length / 2)] ?? 0;
        peakRss = idleRss;
        sampler = setInterval(() => {
          void memoryOf(pid).then((memory) => { if (memory) peakRss = Math.max(peakRss, memory.rss); });
        }, SAMPLE_MS);
        process.stderr.write(`chargers ${identities.join(', ')} connected; idle RSS ${mb(idleRss)} (${mb(window[0] ?? 0)} to ${mb(window.at(-1) ?? 0)})\n`);
      },
      onProgress({ sent, frames, answered, elapsedMs }) {
        if (answered !== lastAnswered) {
          lastAnswered = answered;
          lastAnswerAt = Date.now();
        } else if (Date.now() - lastAnswerAt > STALL_MS && !abort.signal.aborted) {
          abort.abort(`no answer for ${STALL_MS / 1000} s`);
        }
        if (++ticks % PRINT_EVERY_TICKS === 0) process.stderr.write(`${sent}/${frames} frames, ${answered} answers, ${(elapsedMs / 1000).toFixed(0)} s, RSS ${mb(peakRss)} peak\n`);
      },
    });
    clearInterval(sampler);

    const final = await memoryOf(pid);
    const stillAlive = alive(running.child);
    const answersHeartbeat = stillAlive && (await heartbeat(running.ocppUrl, identities[0]!));
    const healthStatus = stillAlive ? await health(running.apiUrl) : 'server gone';
    const ratio = idleRss > 0 ? peakRss / idleRss : Infinity;
    // Its error log is complete only once it has stopped.
    await stopServer(running);

    const lines = [`\nFuzz run: seed ${options.seed}, ${options.frames} frames over ${identities.length} chargers, ${scratch ? 'PostgreSQL' : 'embedded database'}`];
    printReport(report, lines);
    lines.push(`memory: idle RSS ${mb(idleRss)}, peak RSS ${mb(peakRss)} (×${ratio.toFixed(2)}), VmHWM ${final ? mb(final.hwm) : '-'} (since start, including start-up)`);
    lines.push(`server: ${stillAlive ? 'alive' : `exited (${running.child.signalCode ?? `code ${running.child.exitCode}`})`}; Heartbeat afterwards ${answersHeartbeat ? 'answered' : 'NOT answered'}; GET /health ${healthStatus}`);
    if (running.errorLogs.size) {
      lines.push('server error log lines:');
      for (const [message, count] of [...running.errorLogs].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`  ${count}× ${message}`);
    }
    if (!stillAlive) lines.push(`server output (tail):\n${running.outputTail().trim()}`);

    const failures = [
      report.internalErrors.count && `${report.internalErrors.count} InternalError answers`,
      report.unanswered.count && `${report.unanswered.count} unanswered CALLs`,
      report.transactionCallErrors.count && `${report.transactionCallErrors.count} CALLERRORs to transaction messages`,
      report.closes && `${report.closes} connections closed by the server`,
      report.stoppedBy && `the run stopped early (${report.stoppedBy})`,
      !stillAlive && 'the server exited',
      stillAlive && !answersHeartbeat && 'the server no longer answers a Heartbeat',
      stillAlive && healthStatus !== 200 && `GET /health answered ${healthStatus}`,
      ratio > MAX_PEAK_RATIO && `peak RSS ${ratio.toFixed(2)}× idle (limit ${MAX_PEAK_RATIO}×)`,
      // Hostile input is expected; the server logging an error about it is not (a fact it could not store, a session it could not price).
      running.errorLogs.size && `the server logged ${[...running.errorLogs.values()].reduce((sum, n) => sum + n, 0)} errors`,
    ].filter(Boolean);
    lines.push(failures.length ? `FAILED: ${failures.join('; ')}` : 'PASSED');
    process.stdout.write(`${lines.join('\n')}\n`);
    if (interrupted) return 130;
    return failures.length ? 1 : 0;
  } finally {
    clearTimeout(limit);
    clearInterval(sampler);
    if (server) await stopServer(server);
    await fs.rm(dataDir, { recursive: true, force: true });
    await scratch?.drop().catch((error: unknown) => process.stderr.write(`could not drop the scratch database: ${String(error)}\n`));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
