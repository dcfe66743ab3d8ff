/**
 * Child process entry: runs one server under test (spec as JSON in argv[2]) so that its
 * memory and CPU are measured apart from the load generator. Forked by childServer.ts
 * with --expose-gc.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildMessage, ParentMessage, ServerSpec, ServerUsage } from './ipc.ts';
import { startServer, type StartedServer } from './servers.ts';

const IDLE_CHECK_MS = 250;
const IDLE_CHECKS = 20;
const IDLE_UTILIZATION = 0.05;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

/**
 * Waits (at most 5 s) until the event loop is nearly idle, i.e. the server has finished
 * work left over from the previous phase, such as database writes for closed sockets.
 */
async function untilIdle(): Promise<void> {
  for (let check = 0; check < IDLE_CHECKS; check++) {
    const start = performance.eventLoopUtilization();
    await sleep(IDLE_CHECK_MS);
    if (performance.eventLoopUtilization(start).utilization < IDLE_UTILIZATION) return;
  }
}

async function usage(quiesce: boolean): Promise<ServerUsage> {
  if (quiesce) {
    await untilIdle();
    // Twice: the first pass may only queue finalizers whose memory the second frees.
    gc!();
    gc!();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  // external already includes arrayBuffers, so it is not added again.
  return { heapUsed: memory.heapUsed, external: memory.external, rss: memory.rss, cpuMicros: cpu.user + cpu.system };
}

const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

let server: StartedServer;
try {
  server = await startServer(JSON.parse(process.argv[2] ?? '') as ServerSpec);
} catch (error) {
  await send({ type: 'failed', error: describe(error) });
  process.exit(1);
}

let closing: Promise<void> | undefined;
const close = () => (closing ??= server.close());

process.on('message', (message: ParentMessage) => {
  if (message.type === 'usage') {
    void usage(message.quiesce).then((result) => send({ type: 'usage', id: message.id, usage: result }));
    return;
  }
  close().then(
    () => send({ type: 'closed' }).then(() => process.exit(0)),
    (error: unknown) => send({ type: 'failed', error: describe(error) }).then(() => process.exit(1)),
  );
});
// The bench went away (crashed or was interrupted): nobody to report to, so just stop.
process.on('disconnect', () => {
  const exit = () => process.exit(0);
  close().then(exit, exit);
});

await send({ type: 'ready', chargerUrl: server.chargerUrl, httpUrl: server.httpUrl });
