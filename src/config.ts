import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { bool, cleanEnv, makeValidator, num, str, url } from 'envalid';

/** Thrown when an env var holds a value we refuse to start with; the message is one line naming it. */
export class ConfigError extends Error {}

const nonNegativeInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 0) throw new Error('must be a non-negative integer');
  return value;
});

const positiveInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value <= 0) throw new Error('must be a positive integer');
  return value;
});

/** A TCP port; 0 asks the system for a free one (used by tests). */
const port = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`"${input}" is not a port number (0-65535)`);
  return value;
});

/** The original's 0/1 switches; also accepts true/false. */
const flag = bool;

/**
 * Every environment variable the system reads, with its default and what it means (the
 * README's table and .env.example say the same; a test holds the three together).
 */
export const ENVIRONMENT = {
  HOST: str({ default: '127.0.0.1', desc: 'Address both servers bind to; 0.0.0.0 to accept chargers and apps from the network' }),
  PORT: port({ default: 8080, desc: 'HTTP API port' }),
  OCPP_PORT: port({ default: 1337, desc: 'WebSocket port for chargers (/charger/<serial>) and live metrics (/user/<id>)' }),
  TRUST_PROXY: str({ default: '', desc: 'Addresses (comma-separated, CIDR allowed) of load balancers whose X-Forwarded-For names the client; 1: trust any' }),
  PUBLIC_URL: str({ default: '', desc: 'Base URL of the API as clients reach it (printed at start-up, used in links); defaults to the listening address' }),
  LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], desc: 'fatal, error, warn, info, debug, trace or silent' }),
  SHUTDOWN_TIMEOUT: positiveInt({ default: 10, desc: 'Seconds a stop may take (closing sockets, storing what is pending) before the process exits anyway' }),

  DATA_DIR: str({ default: './data', desc: 'Directory of the embedded database and other local files' }),
  DATABASE_URL: str({ default: '', desc: 'postgres:// URL of a PostgreSQL server; overrides the embedded database' }),
  USE_LOCAL_DATABASE: flag({ default: true, desc: '1: embedded database in DATA_DIR; 0: the DATABASE_* server' }),
  DATABASE_HOST: str({ default: '127.0.0.1', desc: 'PostgreSQL host when USE_LOCAL_DATABASE=0' }),
  DATABASE_PORT: port({ default: 5432, desc: 'PostgreSQL port when USE_LOCAL_DATABASE=0' }),
  DATABASE_NAME: str({ default: 'flexicharge', desc: 'Database name when USE_LOCAL_DATABASE=0' }),
  DATABASE_USERNAME: str({ default: 'postgres', desc: 'PostgreSQL user when USE_LOCAL_DATABASE=0' }),
  DATABASE_PASSWORD: str({ default: '', desc: 'That user\'s password when USE_LOCAL_DATABASE=0' }),
  DATABASE_POOL_SIZE: positiveInt({ default: 10, desc: 'Connections to a PostgreSQL server' }),
  SEED: flag({ default: true, desc: 'Seed an empty database with the charge points, chargers and tariffs' }),

  ADMIN_EMAIL: str({ default: 'admin@flexicharge.local', desc: 'E-mail of the admin created on the first start' }),
  ADMIN_PASSWORD: str({ default: '', desc: 'That admin\'s password; when empty one is generated and printed once' }),
  JWT_SECRET: str({ default: '', desc: 'HMAC key for access tokens (≥ 32 chars); generated and stored in the database when empty' }),
  ACCESS_TOKEN_TTL: positiveInt({ default: 3600, desc: 'Access token lifetime in seconds' }),
  REFRESH_TOKEN_TTL: positiveInt({ default: 30 * 86400, desc: 'Refresh token lifetime in seconds' }),
  CODE_TTL: positiveInt({ default: 3600, desc: 'Seconds an e-mailed verification or reset code is valid' }),
  SMTP_URL: str({ default: '', desc: 'smtp(s)://user:password@host:port of the mail server; empty: messages go to DATA_DIR/outbox' }),
  MAIL_FROM: str({ default: 'FlexiCharge <no-reply@flexicharge.local>', desc: 'Sender of the e-mails' }),
  SIGN_IN_RATE_LIMIT: positiveInt({ default: 10, desc: 'Sign-in attempts per client address per minute' }),

  OCPP_HEARTBEAT_INTERVAL: positiveInt({ default: 300, desc: 'Seconds; the Heartbeat interval given to chargers in BootNotification' }),
  OCPP_PING_INTERVAL: positiveInt({ default: 15, desc: 'Seconds between WebSocket pings; a silent charger is dropped after two' }),
  OCPP_CALL_TIMEOUT: positiveInt({ default: 30, desc: 'Seconds a charger has to answer a command' }),
  OCPP_AUTO_REGISTER: flag({ default: false, desc: 'Unknown chargers are registered as Pending instead of refused' }),
  OCPP_MAX_FRAME_BYTES: positiveInt({ default: 262144, desc: 'Largest frame accepted from a charger' }),
  OCPP_MESSAGE_LOG: flag({ default: false, desc: 'Store every OCPP frame in the database' }),
  UPGRADE_TIMEOUT: positiveInt({ default: 10, desc: 'Seconds a connection (either port) has to send its complete request headers; silent or slow ones are closed' }),
  OCPP_MAX_PENDING_PER_ADDRESS: positiveInt({ default: 1000, desc: 'Connections from one address on OCPP_PORT not yet upgraded; beyond it new ones get 503' }),
  CSMS_CA_CERT_FILE: str({ default: '', desc: 'PEM certificate of the CA that signs chargers\' certificates (SignCertificate); empty: requests are rejected' }),
  CSMS_CA_KEY_FILE: str({ default: '', desc: 'PEM private key (PKCS#8, RSA or EC) of that CA; set with CSMS_CA_CERT_FILE' }),
  FIRMWARE_MAX_BYTES: positiveInt({ default: 33554432, desc: 'Largest firmware file an admin may upload (POST /firmware)' }),
  DIAGNOSTICS_MAX_BYTES: positiveInt({ default: 16777216, desc: 'Largest diagnostics file a charger may upload for a GetDiagnostics job' }),
  CPO_NAME: str({ default: '', desc: 'Organisation (O) a charger\'s certificate signing request must name; empty: not checked' }),

  OCPP_START_TIMEOUT: positiveInt({ default: 60, desc: 'Seconds a charger has, after accepting a remote start, to report StartTransaction' }),
  OCPP_ORPHAN_GRACE: positiveInt({ default: 120, desc: 'Seconds before a session whose connector reports Available, or a refused start, is closed without a StopTransaction' }),
  RESERVATION_MINUTES: positiveInt({ default: 15, desc: 'How long a reservation holds a charger' }),
  DEMO_CHARGER: str({ default: '', choices: ['', '0', '1'], desc: 'Built-in simulator plays charger 100000; default on with the embedded database' }),

  RUN_OCPP_TEST: flag({ default: false, desc: 'Run the OCPP self-test at start-up (results in the log)' }),
  OCPP_TEST_INTERVAL_MULTIPLIER: num({ default: 1, desc: 'Scales the self-test\'s waits (slow machines: 2, 3, …)' }),
  LIVEMETRICS_DB_UPDATE_INTERVAL: nonNegativeInt({ default: 10000, desc: 'Minimum milliseconds between writes of a running session\'s summary' }),
  LIVEMETRICS_AUTH_CHECK_INTERVAL: positiveInt({ default: 5000, desc: 'Milliseconds between checks that the users of open live-metrics sockets are still enabled and signed in' }),
  BYPASS_KLARNA: flag({ default: true, desc: '1: no payment provider, sessions are payable by invoice; 0: Klarna' }),
  KLARNA_TOKEN: str({ default: '', desc: 'Klarna API credentials as username:password (required with BYPASS_KLARNA=0)' }),
  KLARNA_BASE_URL: url({ default: 'https://api.playground.klarna.com', desc: 'Klarna API base URL' }),

  TLS_CERT_FILE: str({ default: '', desc: 'PEM certificate (chain) of the TLS servers; set with TLS_KEY_FILE to serve wss:// on OCPP_TLS_PORT and https:// on HTTPS_PORT' }),
  TLS_KEY_FILE: str({ default: '', desc: 'PEM private key of TLS_CERT_FILE' }),
  TLS_CLIENT_CA_FILE: str({ default: '', desc: 'PEM certificate(s) of the CA that signs chargers\' client certificates (security profile 3); empty: no client certificates asked' }),
  OCPP_TLS_PORT: port({ default: 1443, desc: 'wss:// port for chargers and live metrics when TLS_CERT_FILE is set' }),
  HTTPS_PORT: port({ default: 8443, desc: 'https:// port of the HTTP API when TLS_CERT_FILE is set' }),
  TLS_RELOAD_INTERVAL: positiveInt({ default: 5, desc: 'Seconds between checks of the TLS files for a change (they are also reloaded on SIGHUP)' }),

  NATS_URL: str({ default: '', desc: 'nats:// URL(s), comma-separated, of the NATS servers several nodes share; empty: one node, no NATS (needs DATABASE_URL)' }),
  NATS_PREFIX: str({ default: 'flexicharge', desc: 'First token of every NATS subject, so several systems can share one NATS' }),
  NODE_ID: str({ default: '', desc: 'This node\'s name among the nodes (letters, digits, - and _); generated per start when empty' }),
  NODE_LEASE_TTL: positiveInt({ default: 15, desc: 'Seconds a node\'s lease lasts unrenewed; its chargers are shown offline this long after it dies' }),
  BALANCING_INTERVAL: positiveInt({ default: 5, desc: 'Seconds between a node\'s looks at every site with a capacity, beside the events that balance a site at once; another node takes a dead node\'s sites over within three' }),
  BALANCING_OFFLINE_GRACE: nonNegativeInt({ default: 300, desc: 'Seconds an offline charger\'s last limit stays counted in its site\'s load (it may still be charging)' }),

  METRICS_TOKEN: str({ default: '', desc: 'Bearer token GET /metrics requires; empty: /metrics is open (keep it to the monitoring network)' }),

  DASHBOARD_TILE_URL: str({ default: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', desc: 'Map tiles of the dashboard ({z}/{x}/{y} template); empty: the sites are plotted without a map' }),
  DASHBOARD_TILE_ATTRIBUTION: str({ default: '© OpenStreetMap contributors', desc: 'Attribution shown on the dashboard\'s map, as the tile provider requires' }),
};

function readEnv(env: Record<string, string | undefined>) {
  return cleanEnv(
    env,
    ENVIRONMENT,
    {
      reporter: ({ errors }) => {
        const [name, error] = Object.entries(errors)[0] ?? [];
        if (name) throw new ConfigError(`Invalid configuration: ${name}: ${error instanceof Error ? error.message : String(error)}`);
      },
    },
  );
}

type Env = ReturnType<typeof readEnv>;

export type DatabaseConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'postgres'; url: string; poolSize: number };

export interface Config {
  host: string;
  httpPort: number;
  ocppPort: number;
  publicUrl: string;
  /** Fastify's trustProxy: false, true, or the proxies' addresses. */
  trustProxy: boolean | string[];
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Request headers (an upgrade's too) must be complete this long after a connection opens, on either port. */
  upgradeTimeoutMs: number;
  dataDir: string;
  database: DatabaseConfig;
  seed: boolean;
  admin: { email: string; password: string };
  auth: { jwtSecret: string; accessTokenTtlSeconds: number; refreshTokenTtlSeconds: number; codeTtlSeconds: number; signInRateLimitPerMinute: number };
  mail: { smtpUrl: string; from: string; outboxDir: string };
  ocpp: {
    heartbeatIntervalSeconds: number;
    pingIntervalMs: number;
    callTimeoutMs: number;
    autoRegister: boolean;
    maxFrameBytes: number;
    messageLog: boolean;
    maxPendingPerAddress: number;
  };
  /** Largest firmware upload and diagnostics upload, in bytes. */
  fileTransfers: { firmwareMaxBytes: number; diagnosticsMaxBytes: number };
  sessions: { startTimeoutMs: number; reservationMinutes: number; orphanGraceMs: number };
  balancing: { tickMs: number; leaseMs: number; offlineGraceMs: number };
  demoCharger: boolean;
  selfTest: { runAtStart: boolean; intervalMultiplier: number };
  liveMetricsDbUpdateIntervalMs: number;
  liveMetricsAuthCheckIntervalMs: number;
  klarna: { bypass: boolean; token: string; baseUrl: string };
  cluster: ClusterConfig;
  /** The CA that signs chargers' certificates (Security Whitepaper), and the organisation their requests must name. */
  certificates: { caCertFile: string; caKeyFile: string; organisation: string };
  /** wss:// and https:// beside the plain ports; undefined when TLS_CERT_FILE is not set. */
  tls?: TlsConfig;
  /** What GET /metrics requires as its Bearer token; empty: nothing. */
  metricsToken: string;
  /** The map of the dashboard: its tile URL template (empty: no map, the sites plotted) and the attribution the provider requires. */
  dashboard: { tileUrl: string; tileAttribution: string };
}

/** OCPP security profiles 2 and 3: the TLS servers' files and ports. */
export interface TlsConfig {
  certFile: string;
  keyFile: string;
  /** Chargers' client certificates must chain to this CA (profile 3); empty: none asked. */
  clientCaFile: string;
  ocppPort: number;
  httpsPort: number;
  reloadIntervalMs: number;
}

/** Several nodes share chargers through NATS when `natsUrl` is set. */
export interface ClusterConfig {
  natsUrl: string;
  subjectPrefix: string;
  nodeId: string;
  leaseTtlMs: number;
}

/** Subject tokens: what NATS allows in one, and a name an operator can read in logs. */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

function databaseConfig(env: Env): DatabaseConfig {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE };
  if (env.USE_LOCAL_DATABASE) return { kind: 'embedded', dataDir: path.resolve(env.DATA_DIR, 'pg') };
  const credentials = `${encodeURIComponent(env.DATABASE_USERNAME)}${env.DATABASE_PASSWORD ? ':' + encodeURIComponent(env.DATABASE_PASSWORD) : ''}`;
  return {
    kind: 'postgres',
    url: `postgres://${credentials}@${env.DATABASE_HOST}:${env.DATABASE_PORT}/${encodeURIComponent(env.DATABASE_NAME)}`,
    poolSize: env.DATABASE_POOL_SIZE,
  };
}

/** Variables from `.env` in the working directory, if present; the real environment wins. */
export function withDotEnv(environment: Record<string, string | undefined>, file = '.env'): Record<string, string | undefined> {
  if (!fs.existsSync(file)) return environment;
  return { ...parseEnv(fs.readFileSync(file, 'utf8')), ...environment };
}

/** Reads every environment variable the system uses, once. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const env = readEnv(source);
  if (env.JWT_SECRET && env.JWT_SECRET.length < 32) throw new ConfigError('Invalid configuration: JWT_SECRET: must be at least 32 characters');
  if (!env.BYPASS_KLARNA && !env.KLARNA_TOKEN.includes(':')) throw new ConfigError('Invalid configuration: KLARNA_TOKEN: must be "username:password" when BYPASS_KLARNA=0');
  const database = databaseConfig(env);
  if (env.NATS_URL && database.kind === 'embedded') {
    throw new ConfigError('Invalid configuration: NATS_URL: several nodes share one PostgreSQL server; set DATABASE_URL too (the embedded database serves one node)');
  }
  if (env.NODE_ID && !SUBJECT_TOKEN.test(env.NODE_ID)) throw new ConfigError('Invalid configuration: NODE_ID: letters, digits, - and _ only (at most 64)');
  if (!SUBJECT_TOKEN.test(env.NATS_PREFIX)) throw new ConfigError('Invalid configuration: NATS_PREFIX: letters, digits, - and _ only (at most 64)');
  if ((env.CSMS_CA_CERT_FILE === '') !== (env.CSMS_CA_KEY_FILE === '')) {
    throw new ConfigError('Invalid configuration: CSMS_CA_CERT_FILE and CSMS_CA_KEY_FILE: set both (the CA signing chargers\' certificates) or neither');
  }
  if (Boolean(env.TLS_CERT_FILE) !== Boolean(env.TLS_KEY_FILE)) throw new ConfigError('Invalid configuration: TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE are set together');
  if (env.TLS_CLIENT_CA_FILE && !env.TLS_CERT_FILE) throw new ConfigError('Invalid configuration: TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE');
  const tls: TlsConfig | undefined = env.TLS_CERT_FILE
    ? {
        certFile: path.resolve(env.TLS_CERT_FILE),
        keyFile: path.resolve(env.TLS_KEY_FILE),
        clientCaFile: env.TLS_CLIENT_CA_FILE && path.resolve(env.TLS_CLIENT_CA_FILE),
        ocppPort: env.OCPP_TLS_PORT,
        httpsPort: env.HTTPS_PORT,
        reloadIntervalMs: env.TLS_RELOAD_INTERVAL * 1000,
      }
    : undefined;
  return {
    host: env.HOST,
    httpPort: env.PORT,
    ocppPort: env.OCPP_PORT,
    publicUrl: env.PUBLIC_URL.replace(/\/$/, ''),
    trustProxy: env.TRUST_PROXY === '' || env.TRUST_PROXY === '0' ? false
      : env.TRUST_PROXY === '1' ? true : env.TRUST_PROXY.split(',').map((address) => address.trim()).filter(Boolean),
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT * 1000,
    upgradeTimeoutMs: env.UPGRADE_TIMEOUT * 1000,
    dataDir: path.resolve(env.DATA_DIR),
    database,
    seed: env.SEED,
    admin: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD },
    auth: {
      jwtSecret: env.JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL,
      codeTtlSeconds: env.CODE_TTL,
      signInRateLimitPerMinute: env.SIGN_IN_RATE_LIMIT,
    },
    ocpp: {
      heartbeatIntervalSeconds: env.OCPP_HEARTBEAT_INTERVAL,
      pingIntervalMs: env.OCPP_PING_INTERVAL * 1000,
      callTimeoutMs: env.OCPP_CALL_TIMEOUT * 1000,
      autoRegister: env.OCPP_AUTO_REGISTER,
      maxFrameBytes: env.OCPP_MAX_FRAME_BYTES,
      messageLog: env.OCPP_MESSAGE_LOG,
      maxPendingPerAddress: env.OCPP_MAX_PENDING_PER_ADDRESS,
    },
    fileTransfers: { firmwareMaxBytes: env.FIRMWARE_MAX_BYTES, diagnosticsMaxBytes: env.DIAGNOSTICS_MAX_BYTES },
    sessions: { startTimeoutMs: env.OCPP_START_TIMEOUT * 1000, reservationMinutes: env.RESERVATION_MINUTES, orphanGraceMs: env.OCPP_ORPHAN_GRACE * 1000 },
    balancing: { tickMs: env.BALANCING_INTERVAL * 1000, leaseMs: env.BALANCING_INTERVAL * 3000, offlineGraceMs: env.BALANCING_OFFLINE_GRACE * 1000 },
    demoCharger: env.DEMO_CHARGER === '' ? databaseConfig(env).kind === 'embedded' : env.DEMO_CHARGER === '1',
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, outboxDir: path.resolve(env.DATA_DIR, 'outbox') },
    selfTest: { runAtStart: env.RUN_OCPP_TEST, intervalMultiplier: env.OCPP_TEST_INTERVAL_MULTIPLIER },
    liveMetricsDbUpdateIntervalMs: env.LIVEMETRICS_DB_UPDATE_INTERVAL,
    liveMetricsAuthCheckIntervalMs: env.LIVEMETRICS_AUTH_CHECK_INTERVAL,
    klarna: { bypass: env.BYPASS_KLARNA, token: env.KLARNA_TOKEN, baseUrl: env.KLARNA_BASE_URL },
    cluster: {
      natsUrl: env.NATS_URL,
      subjectPrefix: env.NATS_PREFIX,
      nodeId: env.NODE_ID || `${os.hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'node'}-${process.pid}-${randomBytes(3).toString('hex')}`,
      leaseTtlMs: env.NODE_LEASE_TTL * 1000,
    },
    certificates: {
      caCertFile: env.CSMS_CA_CERT_FILE && path.resolve(env.CSMS_CA_CERT_FILE),
      caKeyFile: env.CSMS_CA_KEY_FILE && path.resolve(env.CSMS_CA_KEY_FILE),
      organisation: env.CPO_NAME,
    },
    tls,
    metricsToken: env.METRICS_TOKEN,
    dashboard: { tileUrl: env.DASHBOARD_TILE_URL, tileAttribution: env.DASHBOARD_TILE_ATTRIBUTION },
  };
}
