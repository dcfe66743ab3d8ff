/**
 * `npm run admin -- <command> [arguments]`: the operator's chores, with the server stopped
 * or running, on either database. The database is opened directly unless a running
 * server holds the embedded one; then the command runs in that server (its control socket).
 */
import { pino } from 'pino';
import { ConfigError, loadConfig, withDotEnv, type Config } from '../config.ts';
import { openDatabase } from '../db/connection.ts';
import { dataDirHolder, DataDirInUseError } from '../db/dataDirLock.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { Accounts } from '../domain/accounts.ts';
import { DomainError } from '../domain/errors.ts';
import { AccessTokens, resolveTokenSecret } from '../domain/tokens.ts';
import { UserAdmin } from '../domain/userAdmin.ts';
import { createMailer } from '../mail/mailer.ts';
import { OPERATOR_COMMANDS, operatorHelp, UsageError } from '../operator/commands.ts';
import { sendControlRequest } from '../operator/controlSocket.ts';
import { controlSocketPath } from '../operator/controlSocketPath.ts';

const HELP = `usage: npm run admin -- <command> [arguments]

${operatorHelp()}

The server may be stopped or running. Settings (DATA_DIR, DATABASE_URL, …) are read as the server reads them.`;

async function runDirectly(config: Config, command: string, args: string[]): Promise<string> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const tokens = new AccessTokens(await resolveTokenSecret(database.db, config.auth.jwtSecret), config.auth.accessTokenTtlSeconds);
    const accounts = new Accounts(database.db, tokens, createMailer(config.mail, logger), config.auth);
    return await OPERATOR_COMMANDS[command]!.run({ db: database.db, accounts, userAdmin: new UserAdmin(database.db, accounts) }, args);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const operator = OPERATOR_COMMANDS[command];
  if (!operator) {
    console.error(`unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  const config = loadConfig(withDotEnv(process.env));
  const prepared = operator.prepare ? await operator.prepare(args) : args;
  const embeddedDir = config.database.kind === 'embedded' ? config.database.dataDir : undefined;
  if (embeddedDir !== undefined && (await dataDirHolder(embeddedDir)) !== undefined) {
    const answer = await sendControlRequest(controlSocketPath(embeddedDir), { command, args: prepared });
    if (!answer.ok) throw new UsageError(answer.error);
    console.log(answer.output);
  } else {
    console.log(await runDirectly(config, command, prepared));
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // What a person can act on is one line; anything else is a defect, shown whole.
  if (!(error instanceof UsageError || error instanceof DomainError || error instanceof ConfigError || error instanceof DataDirInUseError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
