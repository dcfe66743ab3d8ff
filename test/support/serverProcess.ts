import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface ServerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * A test that starts server processes (some creating a database cluster, some started
 * twice) waits on several process starts in a row; on a loaded machine each can take
 * several times its usual few seconds.
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

/** Each started in a process group of its own, so that npm start's server ends with npm. */
const running = new Set<ChildProcess>();
process.once('exit', () => killServersLeftRunning());

/** Output collected and exit observed; the process is remembered until it exits. */
function watch(child: ChildProcess): ServerProcess {
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => { stdout += chunk; });
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Ends the server processes a failed test left running (npm start's child too, by its process group). */
export function killServersLeftRunning(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}

/** Runs the compiled server as `npm start` does (the run's global setup builds dist/ from src/). */
export function runServer(env: Record<string, string>): ServerProcess {
  return watch(spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', OCPP_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  }));
}

/** Waits until the server prints its URLs; returns the API's. */
export async function serverStarted(server: ServerProcess, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!server.stdout().includes('Live metrics')) {
    if (server.child.exitCode !== null) throw new Error(`exited: ${server.stderr()}`);
    if (Date.now() > deadline) throw new Error(`not started in time: ${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return /API\s+(\S+)/.exec(server.stdout())![1]!;
}

/** A TCP port nothing listens on right now, for a server that must come back on the same port. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `npm start` as an operator (or a process manager) runs it: the compiled server under npm. */
export function runNpmStart(env: Record<string, string>): ServerProcess {
  return watch(spawn('npm', ['start', '--silent'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  }));
}

/** True when nothing listens on the port any more. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
