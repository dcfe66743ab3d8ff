import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { ConnectionRefusedError } from './errors.ts';

export const OCPP_SUBPROTOCOL = 'ocpp1.6';

export interface HandshakeOptions {
  url: string;
  /** HTTP Basic credentials. */
  basicAuth?: { username: string; password: string };
  offerSubprotocol: boolean;
  /** Whether a server that selects no subprotocol is acceptable (the FlexiCharge charger's view). */
  acceptNoSubprotocol: boolean;
  timeoutMs: number;
}

/** The refusal's explanation: a JSON body's `message`, a short plain-text body, else the HTTP status text. */
function readRefusal(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    const done = () => {
      const text = body.trim();
      try {
        const message = (JSON.parse(text) as { message?: unknown }).message;
        if (typeof message === 'string') return resolve(message);
      } catch {
        if (/^[^<\n]{1,200}$/.test(text)) return resolve(text);
      }
      resolve(response.statusMessage ?? '');
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 4096) body += chunk;
    });
    response.once('end', done);
    response.once('error', done);
  });
}

/**
 * Opens the WebSocket. The subprotocol header is set by hand and checked here, because `ws`
 * treats a server that selects none as an error, which the FlexiCharge charger accepts.
 * A refused upgrade rejects with a ConnectionRefusedError carrying the HTTP status.
 */
export function openSocket(options: HandshakeOptions): Promise<{ socket: WebSocket; protocol: string }> {
  const headers: Record<string, string> = {};
  if (options.offerSubprotocol) headers['Sec-WebSocket-Protocol'] = OCPP_SUBPROTOCOL;
  if (options.basicAuth) headers.Authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  const socket = new WebSocket(options.url, { headers, handshakeTimeout: options.timeoutMs });
  let failure: Error | undefined;
  let protocol = '';
  return new Promise((resolve, reject) => {
    socket.once('upgrade', (response) => {
      const selected = response.headers['sec-websocket-protocol'];
      // Hidden from ws, which would reject a subprotocol it did not offer itself.
      delete response.headers['sec-websocket-protocol'];
      protocol = selected ?? '';
      if (selected !== undefined && (!options.offerSubprotocol || selected !== OCPP_SUBPROTOCOL)) {
        failure = new Error(`the server selected the subprotocol "${selected}", which was not offered`);
      } else if (selected === undefined && options.offerSubprotocol && !options.acceptNoSubprotocol) {
        failure = new Error(`the server selected no subprotocol although ${OCPP_SUBPROTOCOL} was offered`);
      }
    });
    socket.once('unexpected-response', (_request, response) => {
      void readRefusal(response).then((detail) => {
        failure = new ConnectionRefusedError(response.statusCode ?? 0, detail);
        socket.terminate();
      });
    });
    socket.on('error', (error) => reject(failure ?? error));
    socket.once('open', () => {
      if (!failure) return resolve({ socket, protocol });
      // A charger closes a connection whose subprotocol it cannot speak.
      socket.close(1002, 'unacceptable subprotocol');
      reject(failure);
    });
  });
}
