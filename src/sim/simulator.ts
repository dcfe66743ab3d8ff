import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { Connector, type ConnectorSnapshot } from './connector.ts';
import type { BootData, ChargerHost, Dialect, Responder } from './dialect.ts';
import { CallError } from './errors.ts';
import type { InstalledFirmware, UploadedDiagnostics } from './fileTransfers.ts';
import { FlexichargeDialect } from './flexichargeDialect.ts';
import { openSocket } from './handshake.ts';
import { Meter } from './meter.ts';
import { identityOf, resolveOptions, type ActionOverride, type ResolvedOptions, type SimulatorOptions } from './options.ts';
import { OutboundCalls, type Reply } from './outboundCalls.ts';
import { overrideAnswer } from './overrides.ts';
import { isObject } from './payloadChecks.ts';
import { StandardDialect } from './standardDialect.ts';

export interface SimulatorEvents {
  /** Every CALL from the server, before it is answered. */
  call: [action: string, payload: any];
  /** The connection has ended (not emitted for the reconnect of a Reset). */
  close: [code: number];
  /** A transaction has its transactionId from the server. */
  started: [connectorId: number, transactionId: number];
  /** A transaction has ended and its StopTransaction was answered (or failed). */
  stopped: [connectorId: number];
  /** Something the simulator could not do or chose to ignore, e.g. a background CALL that failed. */
  warning: [message: string];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One simulated charger on one WebSocket connection, in either dialect. It answers the
 * server's CALLs on its own (see the dialects) and exposes the charger's own messages.
 */
export class ChargerSimulator extends EventEmitter<SimulatorEvents> {
  readonly identity: string;
  /** Every parsed frame received from the server, in order. */
  readonly received: unknown[][] = [];
  private readonly options: ResolvedOptions;
  private readonly connectors: Connector[];
  private readonly dialect: Dialect;
  private readonly calls: OutboundCalls;
  private socket: WebSocket | undefined;
  private selectedProtocol = '';
  /** While a Reset reconnects, the closing of the old connection is not the end. */
  private rebooting = false;
  private lastCloseCode = 1006;

  constructor(options: SimulatorOptions) {
    super();
    this.options = resolveOptions(options);
    this.identity = this.options.identity;
    const { connectors, meterStartWh, powerW, batteryWh } = this.options;
    this.connectors = Array.from({ length: connectors }, (_, i) => new Connector(i + 1, new Meter(meterStartWh, powerW, batteryWh)));
    const host = this.host();
    this.dialect = this.options.dialect === 'flexicharge' ? new FlexichargeDialect(host) : new StandardDialect(host);
    this.calls = new OutboundCalls((frame) => this.sendFrame(frame), this.options.callTimeoutMs, this.dialect.sequentialCalls);
  }

  /** The subprotocol the server selected; empty for none. */
  get protocol(): string {
    return this.selectedProtocol;
  }

  /** Whether the WebSocket is open (false before connect, after a close and while a Reset reconnects). */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** The FlexiCharge BootData the server sent in a DataTransfer, once one was understood. */
  get bootData(): BootData | undefined {
    return this.dialect.bootData;
  }

  /** The firmware the last UpdateFirmware downloaded and installed (OCPP 1.6 dialect only). */
  get installedFirmware(): InstalledFirmware | undefined {
    return this.dialect instanceof StandardDialect ? this.dialect.installedFirmware : undefined;
  }

  /** The diagnostics file the last GetDiagnostics uploaded (OCPP 1.6 dialect only). */
  get uploadedDiagnostics(): UploadedDiagnostics | undefined {
    return this.dialect instanceof StandardDialect ? this.dialect.uploadedDiagnostics : undefined;
  }

  /** The local authorization list SendLocalList gave a standard charger (idTag → idTagInfo); a FlexiCharge charger keeps none. */
  get localList(): { version: number; entries: ReadonlyMap<string, unknown> } | undefined {
    return this.dialect instanceof StandardDialect ? this.dialect.localList : undefined;
  }

  /** Opens the socket; rejects with a ConnectionRefusedError ("HTTP 404 — …") when the upgrade is refused. */
  async connect(): Promise<void> {
    if (this.socket) throw new Error(`${this.identity} is already connected`);
    const { url, identity, password, offerSubprotocol, dialect, callTimeoutMs } = this.options;
    const { socket, protocol } = await openSocket({
      url,
      ...(password !== undefined && { basicAuth: { username: identity, password } }),
      offerSubprotocol,
      acceptNoSubprotocol: dialect === 'flexicharge',
      timeoutMs: callTimeoutMs,
    });
    this.socket = socket;
    this.selectedProtocol = protocol;
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('error', (error) => this.warn(`socket error: ${error.message}`));
    socket.once('close', (code) => this.closed(socket, code));
    this.dialect.opened();
  }

  /**
   * Comes back on a new connection, at `url` (another node of the central system, the same
   * identity) or where it was, as a charger that lost its network does: without a new
   * BootNotification; running sessions go on and their MeterValues resume. A connection
   * still open is dropped first.
   */
  async reconnect(url = this.options.url): Promise<void> {
    if (identityOf(url) !== this.identity) throw new Error(`${url} is not the address of ${this.identity}`);
    await this.closeSocket(true);
    this.options.url = url;
    await this.connect();
    this.dialect.resumed();
  }

  /** Closes with a close handshake (dropping a peer that does not complete it) and stops all timers. */
  close(): Promise<void> {
    return this.closeSocket(false);
  }

  /** Drops the connection without a close frame, like a charger losing power. */
  terminate(): void {
    void this.closeSocket(true);
  }

  /** A CALL of any action; resolves with the result payload, rejects with a CallError. */
  call(action: string, payload: object): Promise<any> {
    return this.calls.call(this.dialect.messageId(action, payload), action, payload);
  }

  boot(): Promise<any> {
    return this.dialect.boot();
  }

  heartbeat(): Promise<any> {
    return this.dialect.heartbeat();
  }

  statusNotification(connectorId: number, status: string, errorCode?: string): Promise<any> {
    return this.dialect.statusNotification(connectorId, status, errorCode);
  }

  authorize(idTag: string): Promise<any> {
    return this.dialect.authorize(idTag);
  }

  /** RFID at the charger: Authorize, StartTransaction, StatusNotification Charging, periodic MeterValues. */
  startLocalSession(connectorId = 1, idTag = this.options.idTag): Promise<{ transactionId: number; idTagInfo: any }> {
    return this.dialect.startLocalSession(connectorId, idTag);
  }

  /** Ends the running transaction; resolves with the StopTransaction result. */
  stopSession(connectorId = 1, reason?: string): Promise<any> {
    return this.dialect.stopSession(connectorId, reason);
  }

  sendMeterValues(connectorId = 1): Promise<any> {
    return this.dialect.sendMeterValues(connectorId);
  }

  /** A configuration key's value as the charger holds it; the FlexiCharge charger has no configuration. */
  configurationValue(key: string): string | undefined {
    return this.dialect instanceof StandardDialect ? this.dialect.configuration.get(key) : undefined;
  }

  connector(connectorId: number): ConnectorSnapshot {
    return this.connectorById(connectorId).snapshot();
  }

  private connectorById(connectorId: number): Connector {
    const connector = this.connectors[connectorId - 1];
    if (!connector) throw new RangeError(`${this.identity} has no connector ${connectorId}`);
    return connector;
  }

  private host(): ChargerHost {
    return {
      options: this.options,
      connectors: this.connectors,
      connector: (connectorId) => this.connectorById(connectorId),
      call: (action, payload) => this.call(action, payload),
      background: (work, what) => {
        work.catch((error: unknown) => this.warn(`${what} failed: ${describe(error)}`));
      },
      emitStarted: (connectorId, transactionId) => this.emit('started', connectorId, transactionId),
      emitStopped: (connectorId) => this.emit('stopped', connectorId),
      warn: (message) => this.warn(message),
      ping: () => this.socket?.ping(),
      reboot: (abrupt) => this.reboot(abrupt),
    };
  }

  private warn(message: string): void {
    this.emit('warning', `${this.identity}: ${message}`);
  }

  private sendFrame(frame: string): void {
    if (this.socket?.readyState !== WebSocket.OPEN) throw new CallError('Disconnected', `${this.identity} is not connected`);
    this.socket.send(frame);
    this.options.onFrame?.('out', frame);
  }

  private receive(text: string): void {
    this.options.onFrame?.('in', text);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.warn('ignored a frame that is not JSON');
    }
    if (!Array.isArray(frame)) return this.warn('ignored a frame that is not a JSON array');
    this.received.push(frame);
    const [type, id, third] = frame;
    if (type === 2) {
      if (typeof third === 'string') return this.answer(id, third, frame[3]);
      return this.warn('ignored a CALL without an action name');
    }
    if (type === 3) {
      const { action, payload } = this.dialect.readResult(frame);
      return this.settle(id, action, { result: payload });
    }
    if (type === 4) return this.settle(id, undefined, { error: new CallError(String(third), String(frame[3] ?? ''), isObject(frame[4]) ? frame[4] : {}) });
    this.warn(`ignored a frame of unknown message type ${JSON.stringify(type)}`);
  }

  private settle(id: unknown, action: string | undefined, reply: Reply): void {
    if (!this.calls.settle(id, action, reply)) this.warn(`dropped a reply to no pending call: id ${JSON.stringify(id)}`);
  }

  private answer(id: unknown, action: string, payload: unknown): void {
    this.emit('call', action, payload);
    const override = this.options.behaviour[action];
    if (override === 'ignore') return;
    const respond = this.responder(id, action);
    if (override === undefined) this.dialect.handleCall(action, payload, respond);
    else void this.answerWithOverride(override, action, payload, respond);
  }

  private async answerWithOverride(override: Exclude<ActionOverride, 'ignore'>, action: string, payload: unknown, respond: Responder): Promise<void> {
    try {
      respond.result(typeof override === 'function' ? ((await override(payload)) ?? {}) : overrideAnswer(action, override, payload));
    } catch (error) {
      if (error instanceof CallError) return respond.error(error.code, error.description);
      this.warn(`the ${action} override failed: ${describe(error)}`);
      respond.error('InternalError', `the charger could not handle ${action}`);
    }
  }

  /** Sends at most one answer to one server CALL, in the dialect's result form. */
  private responder(id: unknown, action: string): Responder {
    let answered = false;
    const send = (frame: unknown[]) => {
      if (answered) return;
      answered = true;
      try {
        this.sendFrame(JSON.stringify(frame));
      } catch (error) {
        this.warn(`could not answer ${action}: ${describe(error)}`);
      }
    };
    return {
      result: (payload) => send(this.dialect.resultFrame(id, action, payload)),
      error: (code, description) => send([4, id, code, description, {}]),
      get answered() {
        return answered;
      },
    };
  }

  private async closeSocket(abrupt: boolean): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.stopTimers();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (abrupt) {
      socket.terminate();
      return closed;
    }
    socket.close(1000);
    const giveUp = setTimeout(() => socket.terminate(), this.options.callTimeoutMs);
    await closed;
    clearTimeout(giveUp);
  }

  private closed(socket: WebSocket, code: number): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.lastCloseCode = code;
    this.stopTimers();
    this.calls.failAll(new CallError('Disconnected', `the connection closed (${code})`));
    if (!this.rebooting) this.emit('close', code);
  }

  private stopTimers(): void {
    this.dialect.closed();
    for (const connector of this.connectors) connector.stopTimers();
  }

  /** A Reset: once the last messages are out, reconnect, boot and report every connector. */
  private async reboot(abrupt: boolean): Promise<void> {
    await this.calls.idle();
    this.rebooting = true;
    try {
      await this.closeSocket(abrupt);
      await this.connect();
    } catch (error) {
      this.emit('close', this.lastCloseCode);
      throw error;
    } finally {
      this.rebooting = false;
    }
    await this.boot();
    await Promise.all(this.connectors.map((c) => this.statusNotification(c.id, c.status)));
  }
}
