import { pino } from 'pino';
import { ConfigError, loadConfig, withDotEnv, type Config } from './config.ts';
import { listenFailure } from './listenFailure.ts';
import { openConfiguredDatabase } from './db/connection.ts';
import { DataDirInUseError } from './db/dataDirLock.ts';
import { ClusterUnreachableError } from './cluster/clusterUnreachable.ts';
import type { RunningSystem } from './system.ts';

let config: Config;
try {
  config = loadConfig(withDotEnv(process.env));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Readable lines for a person at a terminal; JSON lines for whatever collects the logs.
const logger = process.stdout.isTTY
  ? pino({ level: config.logLevel }, (await import('pino-pretty')).default({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }))
  : pino({ level: config.logLevel });
// The last line of defence: every source of errors handles its own, and anything that
// still escapes is logged where it came from and the service goes on serving chargers.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
process.on('uncaughtException', (error, origin) => logger.error({ err: error, origin }, 'uncaught exception'));

let system: RunningSystem | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping || !system) {
      // A second signal, or one before the servers are up: nothing to wait for.
      logger.warn({ signal }, 'stopping now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, deadlineSeconds: config.shutdownTimeoutMs / 1000 }, 'shutting down');
    setTimeout(() => {
      logger.error(`not stopped within ${config.shutdownTimeoutMs / 1000} s (SHUTDOWN_TIMEOUT); exiting anyway`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    system.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

// SIGHUP reads the TLS certificate and keys again (they are also checked every TLS_RELOAD_INTERVAL).
process.on('SIGHUP', () => {
  if (!config.tls) {
    logger.info('SIGHUP: no TLS configured, nothing to reload');
    return;
  }
  system?.reloadTls().catch((error: unknown) => logger.error({ err: error }, 'TLS reload failed'));
});

try {
  // The database opens (the embedded one compiles its WebAssembly in the background) while
  // the rest of the system's code loads.
  const opening = openConfiguredDatabase(config.database, logger);
  opening.catch(() => undefined);
  const { startSystem } = await import('./system.ts');
  system = await startSystem(config, logger, opening);
} catch (error) {
  const failure = error instanceof DataDirInUseError || error instanceof ClusterUnreachableError ? error.message : listenFailure(error, config);
  if (failure) console.error(failure);
  // A start that failed ends with a failure status, so a process manager restarts the node.
  else logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}

const apiUrl = config.publicUrl || system.httpUrl;
const ocppBase = `ws://${new URL(apiUrl).hostname}:${new URL(system.ocppUrl).port}`;
const banner = `
FlexiCharge is running
  API          ${apiUrl}
  Swagger UI   ${apiUrl}/swagger
  Dashboard    ${apiUrl}/dashboard
  OCPP         ${ocppBase}/charger/<serial number>
  Live metrics ${ocppBase}/user/<user id>?token=<access token>
${system.httpsUrl ? `  API (TLS)    ${system.httpsUrl}
  OCPP (TLS)   ${system.ocppTlsUrl}/charger/<serial number>
` : ''}  Database     ${config.database.kind === 'embedded' ? `embedded, ${config.database.dataDir}` : 'PostgreSQL server'}
`;
const adminBlock = system.initialAdmin?.generatedPassword
  ? `================================================================
  First admin created: ${system.initialAdmin.email} / ${system.initialAdmin.generatedPassword}
  This password is shown only now; set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own,
  or give an admin a new one later with: npm run admin -- reset-password <e-mail>
================================================================
`
  : '';
// One write: whoever reads the start-up output (a person, a process manager) gets the
// addresses and the one-time password together.
console.log(banner + adminBlock);
