import { pino } from 'pino';
import { ConfigError, loadConfig, withDotEnv, type Config } from './config.ts';
import { startSystem } from './system.ts';

let config: Config;
try {
  config = loadConfig(withDotEnv(process.env));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = pino({ level: config.logLevel });
// The last line of defence: every source of errors handles its own, and anything that
// still escapes is logged where it came from and the service goes on serving chargers.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
process.on('uncaughtException', (error, origin) => logger.error({ err: error, origin }, 'uncaught exception'));
const system = await startSystem(config, logger);

const apiUrl = config.publicUrl || system.httpUrl;
const ocppBase = `ws://${new URL(apiUrl).hostname}:${new URL(system.ocppUrl).port}`;
console.log(`FlexiCharge is running
  API          ${apiUrl}
  Swagger UI   ${apiUrl}/swagger
  OCPP         ${ocppBase}/charger/<serial number>
  Live metrics ${ocppBase}/user/<user id>?token=<access token>
  Database     ${config.database.kind === 'embedded' ? `embedded, ${config.database.dataDir}` : 'PostgreSQL server'}`);
if (system.initialAdmin?.generatedPassword) {
  console.log(`
  First admin created: ${system.initialAdmin.email} / ${system.initialAdmin.generatedPassword}
  This password is shown only now; set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own.`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    system.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
