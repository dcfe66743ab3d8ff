import net, { type AddressInfo } from 'node:net';

export type CutMode = 'reset' | 'blackhole';

interface Target {
  host: string;
  port: number;
}

/** A client and its connection to the target, forwarding both ways. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/** Another process may take the port while the proxy is cut; it usually lets go soon. */
const LISTEN_RETRY_MS = 2000;
const LISTEN_RETRY_INTERVAL_MS = 50;

/** An RST where the socket has a connection, else a plain close (a connect in progress has nothing to reset). */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

function closed(socket: net.Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

/**
 * Listens on 127.0.0.1. The server's 'error' listener stays for its lifetime: after listening
 * it only reports failed accepts, which would otherwise crash the test process.
 */
async function listen(port: number): Promise<net.Server> {
  const deadline = Date.now() + LISTEN_RETRY_MS;
  for (;;) {
    const server = net.createServer({ allowHalfOpen: true });
    try {
      await new Promise<void>((resolve, reject) => {
        server.on('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      return server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_INTERVAL_MS));
    }
  }
}

function stopListening(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A TCP proxy a test can cut and restore, in the manner of Toxiproxy: it stands between the
 * server under test and its database so that a test can take the database away.
 */
export class TcpProxy {
  #server: net.Server | undefined;
  #state: 'forwarding' | CutMode | 'closed' = 'forwarding';
  readonly #pairs = new Set<Pair>();
  /** Clients accepted while blackholed: never connected through. */
  readonly #held = new Set<net.Socket>();

  private constructor(
    private readonly target: Target,
    readonly port: number,
    server: net.Server,
  ) {
    this.#adopt(server);
  }

  /** Listens on 127.0.0.1:`listenPort`; 0 picks a free port. */
  static async start(target: Target, listenPort = 0): Promise<TcpProxy> {
    const server = await listen(listenPort);
    return new TcpProxy(target, (server.address() as AddressInfo).port, server);
  }

  /** Connections currently connected through to the target, blackholed ones included. */
  get connections(): number {
    return this.#pairs.size;
  }

  /**
   * 'reset': every proxied connection gets an RST and the listener closes, so new connections
   * are refused (ECONNREFUSED). 'blackhole': connections stay open but no byte is forwarded in
   * either direction; new connections are accepted and never connected through.
   */
  async cut(mode: CutMode = 'reset'): Promise<void> {
    if (this.#state !== 'forwarding') throw new Error(`the proxy is ${this.#state}, not forwarding`);
    this.#state = mode;
    if (mode === 'reset') {
      const server = this.#server!;
      this.#server = undefined;
      await Promise.all([stopListening(server), this.#dropAll(reset)]);
      return;
    }
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /**
   * Forwards again, on the same port. Blackholed connections are reset rather than resumed:
   * when a real partition ends, the peers have usually given up on the connection (timeouts,
   * keepalives), and the client must notice and reconnect rather than wait on a stream whose
   * bytes went missing.
   */
  async restore(): Promise<void> {
    if (this.#state === 'closed') throw new Error('the proxy is closed');
    if (this.#state === 'reset') this.#adopt(await listen(this.port));
    else if (this.#state === 'blackhole') await this.#dropAll(reset);
    this.#state = 'forwarding';
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const server = this.#server;
    this.#server = undefined;
    await Promise.all([server && stopListening(server), this.#dropAll((socket) => socket.destroy())]);
  }

  #adopt(server: net.Server): void {
    this.#server = server;
    server.on('connection', (client) => this.#accept(client));
  }

  #accept(client: net.Socket): void {
    if (this.#state !== 'forwarding') {
      client.on('error', () => client.destroy());
      client.pause();
      this.#held.add(client);
      client.once('close', () => this.#held.delete(client));
      return;
    }
    const upstream = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    const pair = { client, upstream };
    this.#pairs.add(pair);
    // A failure on one side reaches the other as a reset, as it would through a router.
    for (const [socket, other] of [[client, upstream], [upstream, client]] as const) {
      socket.on('error', () => reset(other));
      socket.once('close', () => {
        this.#pairs.delete(pair);
        other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async #dropAll(drop: (socket: net.Socket) => void): Promise<void> {
    const sockets = [...this.#held, ...[...this.#pairs].flatMap(({ client, upstream }) => [client, upstream])];
    this.#held.clear();
    this.#pairs.clear();
    for (const socket of sockets) drop(socket);
    await Promise.all(sockets.map(closed));
  }
}
