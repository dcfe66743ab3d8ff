import type { Db } from '../db/connection.ts';
import type { ChargerGateway } from '../domain/chargerGateway.ts';
import type { AccessTokens } from '../domain/tokens.ts';

/** The result names, exactly as the original reported them, in the original's order. */
export const SELF_TEST_NAMES = [
  'BootNotification',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'ChargerMemoryLeak : ChargerTests',
  'MeterValues',
  'UserMemoryLeak',
  'ChargerMemoryLeak : LiveMetricsTests',
] as const;

export type SelfTestName = (typeof SELF_TEST_NAMES)[number];

/** What GET /tests/ocpp answers (and a start-up run logs). */
export interface SelfTestResult {
  failedTests: string[];
  successfulTests: string[];
}

/** Where the reasons for failures (and progress) go; a pino logger fits. */
export interface SelfTestLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * What the self-test needs from a running system; everything comes from RunningSystem:
 * `db: system.database.db`, `ocppUrl: system.ocppUrl`, `gateway: system.gateway`,
 * `tokens: system.tokens`, `liveUsers: () => system.live.users`.
 */
export interface SelfTestDeps {
  db: Db;
  /** `ws://host:port` of the OCPP server (chargers at /charger/<serial>, users at /user/<id>). */
  ocppUrl: string;
  /** Sends the server→charger commands; `isConnected` tells whether the server still holds a charger. */
  gateway: ChargerGateway;
  /** Issues the temporary user's access token for its live-metrics socket. */
  tokens: Pick<AccessTokens, 'issue'>;
  /** Number of users with open live-metrics sockets right now. */
  liveUsers(): number;
  logger?: SelfTestLogger;
  /** Hears each test as it finishes (the operators' live view shows the run's progress). */
  progress?(report: { test: SelfTestName; passed: boolean; done: number; total: number }): void;
}

export interface SelfTestOptions {
  /** OCPP_TEST_INTERVAL_MULTIPLIER: every wait is 5 s times this (values ≤ 0 or not finite count as 1). */
  intervalMultiplier: number;
  /** Aborting ends every pending wait at once (the tests still running fail); cleanup still runs. */
  signal?: AbortSignal;
}
