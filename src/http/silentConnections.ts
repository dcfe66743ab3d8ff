import type { Socket } from 'node:net';
import type { App } from './context.ts';

/**
 * Closes, when the server closes, the connections that never sent a request. Node's
 * `server.close()` stops the header deadline's checks and closes only the connections idle
 * between requests, so a client that connected and said nothing (a half-open probe, a pool's
 * spare connection) would hold the shutdown until its socket timed out, over a minute.
 */
export function closeSilentConnections(app: App): void {
  const silent = new Set<Socket>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    silent.add(socket);
    socket.once('close', () => silent.delete(socket));
  });
  app.addHook('onRequest', async (request) => {
    silent.delete(request.raw.socket);
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const socket of silent) socket.destroy();
    silent.clear();
  });
}
