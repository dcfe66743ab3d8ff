import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './serverProcess.ts';

/** The nats-server binary (Debian's package puts it in /usr/sbin); NATS_SERVER overrides it. */
const BINARY = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** Every nats-server a test started and has not seen exit, killed when the worker exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A throwaway NATS server on loopback for one test file: started on a free port (or a
 * given one), stopped by its PID, and started again on the same port (the nodes'
 * clients reconnect to the URL they were given).
 */
export class NatsServer {
  #child: ChildProcess | undefined;
  #output = '';

  private constructor(readonly port: number) {}

  static async start(port?: number): Promise<NatsServer> {
    const server = new NatsServer(port ?? (await freePort()));
    await server.#spawn();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** What the server logged (it logs to stderr). */
  get output(): string {
    return this.#output;
  }

  /** Stops the server (SIGTERM, SIGKILL after a grace) and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  async #spawn(): Promise<void> {
    const child = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stdout!.on('data', (chunk) => { this.#output += chunk; });
    child.stderr!.on('data', (chunk) => { this.#output += chunk; });
    this.#child = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    // Ready when it accepts connections and greets with INFO (the port may still be held by the previous run for a moment).
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.#child = undefined;
        throw new Error(`nats-server on port ${this.port} exited: ${this.#output}`);
      }
      if (await greets(this.port)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`nats-server on port ${this.port} not ready in time: ${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** True when a NATS server answers on the port with its INFO line. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.startsWith('INFO ')) done(true);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(data.startsWith('INFO ')));
  });
}
