import type { Connector } from './connector.ts';
import type { ResolvedOptions } from './options.ts';

/** Answers one server CALL. Nothing called = no reply at all. */
export interface Responder {
  result(payload: object): void;
  error(code: string, description: string): void;
  readonly answered: boolean;
}

/** Parsed from the JSON string `data` of the FlexiCharge "BootData" DataTransfer. */
export interface BootData {
  connectorID: unknown;
  chargingPrice?: number;
}

/** What a dialect needs from the simulator that hosts it. */
export interface ChargerHost {
  readonly options: ResolvedOptions;
  readonly connectors: readonly Connector[];
  /** The connector with this id; throws a RangeError for an unknown one. */
  connector(connectorId: number): Connector;
  call(action: string, payload: object): Promise<any>;
  /** Runs work nobody awaits: its failure becomes a 'warning' event. */
  background(work: Promise<unknown>, what: string): void;
  emitStarted(connectorId: number, transactionId: number): void;
  emitStopped(connectorId: number): void;
  warn(message: string): void;
  ping(): void;
  /** Drops the connection (abruptly or with a close handshake), reconnects and boots again. */
  reboot(abrupt: boolean): Promise<void>;
}

/**
 * One way of being a charger: the message ids and frame shapes it uses, its answers to server
 * CALLs and the messages it sends. `ocpp1.6` is the standard, `flexicharge` the legacy program.
 */
export interface Dialect {
  /** One CALL in flight at a time, the rest queued (standard), or all sent at once. */
  readonly sequentialCalls: boolean;
  readonly bootData: BootData | undefined;
  messageId(action: string, payload: object): string;
  resultFrame(id: unknown, action: string, payload: object): unknown[];
  /** Reads a CALLRESULT; `action` only when the frame names it. */
  readResult(frame: unknown[]): { action?: string; payload: unknown };
  handleCall(action: string, payload: unknown, respond: Responder): void;
  opened(): void;
  closed(): void;
  /** Back on a new connection without a boot: the running sessions' MeterValues go on. */
  resumed(): void;
  boot(): Promise<any>;
  heartbeat(): Promise<any>;
  statusNotification(connectorId: number, status: string, errorCode?: string): Promise<any>;
  authorize(idTag: string): Promise<any>;
  startLocalSession(connectorId: number, idTag: string): Promise<{ transactionId: number; idTagInfo: any }>;
  stopSession(connectorId: number, reason: string | undefined): Promise<any>;
  sendMeterValues(connectorId: number): Promise<any>;
}
