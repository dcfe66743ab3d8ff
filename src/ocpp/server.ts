import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OcppServer {
  port: number;
  close(): Promise<void>;
}

/** The WebSocket port. Until chargers are admitted here, every upgrade is refused. */
export async function startOcppServer(host: string, port: number): Promise<OcppServer> {
  const server = http.createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 404, code: 'notFoundError', message: 'WebSocket endpoint' }));
  });
  server.on('upgrade', (_request, socket) => {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
