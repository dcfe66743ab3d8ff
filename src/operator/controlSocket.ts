import fs from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors.ts';
import { OPERATOR_COMMANDS, UsageError, type OperatorContext } from './commands.ts';

/** One request per connection: a JSON line `{command, args}` in, a JSON line `{ok, output}` or `{ok: false, error}` out. */
export interface ControlRequest {
  command: string;
  args: string[];
}

export type ControlAnswer = { ok: true; output: string } | { ok: false; error: string };

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * While a server holds the embedded database, `npm run admin` cannot open it: its
 * commands run here instead, in the server, over a Unix socket next to the database. Who
 * may write the socket file may run them — the same people who could read the database
 * files — so it takes no password.
 */
export async function startControlSocket(socketPath: string, context: OperatorContext, logger: Logger): Promise<{ close(): Promise<void> }> {
  // A socket file left by a process that died is in the way; the data directory lock says no live server owns it.
  await fs.rm(socketPath, { force: true });
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_REQUEST_BYTES) socket.destroy();
      else if (text.includes('\n')) void answer(text.slice(0, text.indexOf('\n'))).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  async function answer(line: string): Promise<ControlAnswer> {
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
    } catch {
      return { ok: false, error: 'not a JSON request' };
    }
    const command = OPERATOR_COMMANDS[request.command];
    if (!command || !Array.isArray(request.args)) return { ok: false, error: `unknown command ${String(request.command)}` };
    try {
      const output = await command.run(context, request.args.map(String));
      logger.info({ command: request.command }, 'operator command run');
      return { ok: true, output };
    } catch (error) {
      if (error instanceof DomainError || error instanceof UsageError) return { ok: false, error: error.message };
      logger.error({ err: error, command: request.command }, 'operator command failed');
      return { ok: false, error: 'the command failed; the server log says why' };
    }
  }
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  await fs.chmod(socketPath, 0o600);
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends one command to a running server's control socket. */
export function sendControlRequest(socketPath: string, request: ControlRequest): Promise<ControlAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => { text += chunk; });
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text) as ControlAnswer);
      } catch {
        reject(new Error('the server gave no answer'));
      }
    });
    socket.on('error', reject);
  });
}
