/**
 * A failed CALL: either the peer's CALLERROR (`code` is the OCPP error code) or a failure on
 * our side, with the codes `Timeout` (no answer in time) and `Disconnected` (the socket closed
 * or was not open). As an incoming-CALL handler's exception it becomes our CALLERROR.
 */
export class CallError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly details: object = {},
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'CallError';
  }
}

/** The server answered the WebSocket upgrade with an HTTP status instead of 101. */
export class ConnectionRefusedError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail ? `HTTP ${status} — ${detail}` : `HTTP ${status}`);
    this.name = 'ConnectionRefusedError';
  }
}
