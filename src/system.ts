import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/connection.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedDatabase } from './db/seed.ts';
import type { ChargerGateway } from './domain/chargerGateway.ts';
import { ChargingEvents } from './domain/events.ts';
import { AccessTokens, resolveTokenSecret } from './domain/tokens.ts';
import { ensureInitialAdmin, type InitialAdmin } from './domain/users.ts';
import { buildHttpApp } from './http/app.ts';
import { createGuards } from './http/auth.ts';
import { startOcppServer } from './ocpp/server.ts';

export interface RunningSystem {
  httpUrl: string;
  ocppUrl: string;
  database: DatabaseHandle;
  tokens: AccessTokens;
  gateway: ChargerGateway;
  events: ChargingEvents;
  /** Set on the start that created the first admin. */
  initialAdmin?: InitialAdmin;
  /** Stops accepting, closes sockets, then flushes and closes the database. */
  close(): Promise<void>;
}

/** The composition root: database (migrated, seeded), domain, HTTP and OCPP servers. */
export async function startSystem(config: Config, logger: Logger): Promise<RunningSystem> {
  const database = await openDatabase(config.database);
  const started: { close(): Promise<void> }[] = [];
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
    if (config.seed && (await seedDatabase(database.db))) logger.info('database seeded');
    const events = new ChargingEvents();
    const tokens = new AccessTokens(await resolveTokenSecret(database.db, config.auth.jwtSecret), config.auth.accessTokenTtlSeconds);
    const http = await buildHttpApp({ config, database, db: database.db, tokens, guards: createGuards(tokens) }, logger);
    started.push(http);
    await http.listen({ host: config.host, port: config.httpPort });
    const ocpp = await startOcppServer({ db: database.db, config, events, logger });
    started.push(ocpp);

    // Last, so that a start which fails earlier cannot swallow a generated password.
    const initialAdmin = await ensureInitialAdmin(database.db, config.admin.email, config.admin.password);
    if (initialAdmin) logger.info({ email: initialAdmin.email }, 'first admin created');

    const httpPort = (http.server.address() as AddressInfo).port;
    const hostName = urlHost(config.host);
    let closing: Promise<void> | undefined;
    return {
      httpUrl: `http://${hostName}:${httpPort}`,
      ocppUrl: `ws://${hostName}:${ocpp.port}`,
      database,
      tokens,
      gateway: ocpp.gateway,
      events,
      initialAdmin,
      close() {
        closing ??= (async () => {
          await Promise.all([ocpp.close(), http.close()]);
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.close()));
    await database.close();
    throw error;
  }
}

/** The host part of a URL that reaches a server bound to `host` from this machine. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
