import WebSocket from 'ws';

/** The self-test's app: a live-metrics socket on `/user/<id>?token=…` that keeps every frame it receives. */
export class LiveUserSocket {
  /** Every frame received, parsed; a frame that is not JSON is kept as its text. */
  readonly frames: unknown[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        this.frames.push(text);
      }
    });
    socket.on('error', () => undefined);
  }

  /** Opens the socket; rejects on a refused upgrade ("HTTP 401") or after `timeoutMs`. */
  static open(url: string, timeoutMs: number): Promise<LiveUserSocket> {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveUserSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`the live-metrics socket was refused with HTTP ${response.statusCode}`));
        socket.terminate();
      });
      socket.once('error', (error) => reject(error));
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Drops the connection without a close handshake, as a phone losing its network. */
  terminate(): void {
    this.socket.terminate();
  }
}
