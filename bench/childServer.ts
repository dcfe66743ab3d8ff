import { fork } from 'node:child_process';
import type { ChildMessage, ParentMessage, ServerSpec, ServerUsage } from './ipc.ts';

/** Starting includes a fresh embedded database and provisioning up to 5,000 chargers. */
const START_TIMEOUT_MS = 120_000;
/** A quiescing usage request may wait 5 s for the server to go idle. */
const USAGE_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 30_000;
const STDERR_TAIL_CHARS = 4_000;

/** A server under test running in a child process of its own. */
export interface ServerChild {
  chargerUrl: string;
  httpUrl?: string;
  usage(quiesce: boolean): Promise<ServerUsage>;
  /** Stops the server and waits for the process to end; kills it if it does not. */
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function forkServer(spec: ServerSpec): Promise<ServerChild> {
  // The parent's execArgv carries tsx's loader, so the child runs TypeScript the same way.
  const child = fork(new URL('./serverProcess.ts', import.meta.url), [JSON.stringify(spec)], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  // Passed through, and the tail kept: a child that crashes before it can report says why only there.
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
  });
  // 'close', not 'exit': by then stderr has been read to the end.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A send racing the child's exit fails here; the exit itself is what gets reported.
  child.on('error', () => {});
  let failure: string | undefined;
  const waiting = new Map<number, (usage: ServerUsage) => void>();
  const send = (message: ParentMessage) => child.send(message);

  const started = new Promise<{ chargerUrl: string; httpUrl?: string }>((resolve, reject) => {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'failed') reject(new Error(`${spec.kind} server failed:\n${(failure = message.error)}`));
      else if (message.type === 'usage') waiting.get(message.id)?.(message.usage);
    });
    void exited.then(() => reject(new Error(`${spec.kind} server process exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready${stderrTail ? `:\n${stderrTail.trim()}` : ''}`)));
  });
  // An exit after start makes every later request fail fast instead of waiting for its timeout.
  const gone = () => (child.exitCode === null && child.signalCode === null ? undefined : new Error(`${spec.kind} server process has exited`));

  let urls: { chargerUrl: string; httpUrl?: string };
  try {
    urls = await withTimeout(started, START_TIMEOUT_MS, `starting the ${spec.kind} server`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  let nextId = 0;
  return {
    chargerUrl: urls.chargerUrl,
    httpUrl: urls.httpUrl,
    usage(quiesce) {
      const error = gone();
      if (error) return Promise.reject(error);
      const id = ++nextId;
      const answer = new Promise<ServerUsage>((resolve, reject) => {
        waiting.set(id, resolve);
        void exited.then(() => reject(new Error(`${spec.kind} server process exited during a usage request`)));
      });
      send({ type: 'usage', id, quiesce });
      return withTimeout(answer, USAGE_TIMEOUT_MS, `a usage request to the ${spec.kind} server`).finally(() => waiting.delete(id));
    },
    async close() {
      if (gone()) return;
      send({ type: 'close' });
      try {
        await withTimeout(exited, CLOSE_TIMEOUT_MS, `closing the ${spec.kind} server`);
      } catch (error) {
        child.kill('SIGKILL');
        await exited;
        throw error;
      }
      if (failure) throw new Error(`${spec.kind} server failed while closing:\n${failure}`);
    },
  };
}
