import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Db } from '../db/connection.ts';
import type { Accounts } from '../domain/accounts.ts';
import { getChargePoint } from '../domain/chargePoints.ts';
import type { ChargerRow } from '../db/schema.ts';
import { createCharger, findChargerByReference, listChargers, listUnplacedChargers, updateCharger } from '../domain/chargers.ts';
import { DomainError } from '../domain/errors.ts';
import { parseTariffCsv } from '../domain/tariffCsv.ts';
import { upsertTariffs } from '../domain/tariffs.ts';
import type { UserAdmin } from '../domain/userAdmin.ts';
import { findUserByEmail } from '../domain/users.ts';

/** What an operator command works with: the database and the account services on it. */
export interface OperatorContext {
  db: Db;
  accounts: Accounts;
  userAdmin: UserAdmin;
}

export interface OperatorCommand {
  usage: string;
  summary: string;
  /**
   * Run where the operator typed the command, before `run` (which may run in the server
   * process): turns local inputs, such as a file path, into what `run` needs.
   */
  prepare?(args: string[]): Promise<string[]>;
  /** Returns what to print. Throws DomainError (or UsageError) for a person to read. */
  run(context: OperatorContext, args: string[]): Promise<string>;
}

/** Arguments that do not fit the command. */
export class UsageError extends Error {}

/** A temporary password that meets the policy (a letter and a digit, 8 or more characters). */
const temporaryPassword = () => `${randomBytes(9).toString('base64url')}7a`;

function argument(args: string[], index: number, usage: string): string {
  const value = args[index];
  if (value === undefined || value === '') throw new UsageError(`usage: ${usage}`);
  return value;
}

function integer(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} must be a whole number, not "${value}"`);
  return n;
}

const chargerLine = (charger: Pick<ChargerRow, 'id' | 'serial_number' | 'charge_point_id' | 'status' | 'online' | 'registration_status'>) =>
  [String(charger.id), charger.serial_number, charger.charge_point_id === null ? '-' : String(charger.charge_point_id), charger.status,
    charger.online ? 'online' : 'offline', charger.registration_status].join('\t');

const CHARGER_HEADER = 'connectorID\tserial\tchargePointID\tstatus\tconnection\tregistration';

export const OPERATOR_COMMANDS: Record<string, OperatorCommand> = {
  'create-admin': {
    usage: 'create-admin <e-mail> [password]',
    summary: 'Create an admin; without a password a temporary one is generated and printed (it must be changed at the first sign-in)',
    async run({ userAdmin }, args) {
      const email = argument(args, 0, this.usage);
      const password = args[1] ?? temporaryPassword();
      await userAdmin.create('admin', { email, password });
      return `Admin ${email} created with the temporary password: ${password}\nThe first sign-in (POST /admin/sign-in) asks for a new one.`;
    },
  },
  'reset-password': {
    usage: 'reset-password <e-mail>',
    summary: "Give a user or an admin a new temporary password (printed; every session of the account ends, and the next sign-in asks for a new one)",
    async run({ db, accounts }, args) {
      const email = argument(args, 0, this.usage);
      const user = await findUserByEmail(db, email);
      if (!user) throw new DomainError('notFound', ['UserNotFoundException'], `No account with the e-mail ${email}`);
      const password = temporaryPassword();
      await accounts.setPassword(user.id, password, 'FORCE_CHANGE_PASSWORD');
      if (!user.enabled) return `Temporary password of ${email} (${user.role}): ${password}\nThe account is disabled: enable it before it can sign in.`;
      return `Temporary password of ${email} (${user.role}): ${password}\nThe next sign-in asks for a new one.`;
    },
  },
  chargers: {
    usage: 'chargers',
    summary: 'List the chargers placed at a charge point',
    async run({ db }) {
      const chargers = await listChargers(db);
      return [CHARGER_HEADER, ...chargers.map(chargerLine)].join('\n');
    },
  },
  pending: {
    usage: 'pending',
    summary: 'List the chargers that registered themselves (OCPP_AUTO_REGISTER=1) and wait to be placed',
    async run({ db }) {
      const chargers = await listUnplacedChargers(db);
      if (chargers.length === 0) return 'No charger waits to be placed.';
      return [CHARGER_HEADER, ...chargers.map(chargerLine)].join('\n');
    },
  },
  'add-charger': {
    usage: 'add-charger <serial number> <chargePointID> [latitude,longitude]',
    summary: "Register a charger at a charge point (at the charge point's location unless given); prints its connectorID",
    async run({ db }, args) {
      const serialNumber = argument(args, 0, this.usage);
      const chargePointId = integer(argument(args, 1, this.usage), 'chargePointID');
      const site = await getChargePoint(db, chargePointId);
      const [latitude, longitude] = args[2] ? args[2].split(',').map(Number) : [site.latitude, site.longitude];
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) throw new UsageError(`the location must be "latitude,longitude", not "${args[2]}"`);
      const charger = await createCharger(db, { serialNumber, chargePointId, location: { latitude: latitude!, longitude: longitude! } });
      return `Charger ${serialNumber} registered as connectorID ${charger.id}; it connects to /charger/${encodeURIComponent(serialNumber)}`;
    },
  },
  accept: {
    usage: 'accept <connectorID or serial number> <chargePointID>',
    summary: 'Place a charger that registered itself at a charge point and accept it',
    async run({ db }, args) {
      const charger = await findChargerByReference(db, argument(args, 0, this.usage));
      const chargePointId = integer(argument(args, 1, this.usage), 'chargePointID');
      await updateCharger(db, charger.id, { chargePointId, registrationStatus: 'Accepted' });
      return `Charger ${charger.serial_number} (connectorID ${charger.id}) accepted at charge point ${chargePointId}; it is accepted at its next BootNotification`;
    },
  },
  'import-tariffs': {
    usage: 'import-tariffs <file.csv>',
    summary: 'Import hourly electricity prices from a CSV file (start,price_sek_per_kwh; or start;price with decimal commas; or start,price_ore)',
    async prepare(args) {
      const file = argument(args, 0, this.usage);
      return [file, await fs.readFile(file, 'utf8').catch(() => { throw new UsageError(`cannot read ${file}`); })];
    },
    async run({ db }, [file, csv]) {
      const count = await upsertTariffs(db, parseTariffCsv(argument([csv!], 0, this.usage)));
      return `${count} hourly prices imported from ${file}`;
    },
  },
};

/** The command list, for `help`. */
export function operatorHelp(): string {
  const width = Math.max(...Object.values(OPERATOR_COMMANDS).map((command) => command.usage.length));
  return Object.values(OPERATOR_COMMANDS).map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`).join('\n');
}
