import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { RegistrationStatus } from '../db/schema.ts';
import { bootFactsOf, NO_FACTS, type BootFacts } from './bootFacts.ts';
import { lockChargers } from './chargerLocks.ts';
import { chargerStatusOf } from './chargerStatus.ts';
import type { ChargerId, ChargerStatus, Dialect } from './units.ts';

/** What the OCPP server needs to admit a connecting charger. */
export interface ChargerAdmission {
  id: ChargerId;
  identity: string;
  passwordHash: string | null;
  /** OCPP security profile 0–3: what the connection must bring (admission.ts). */
  securityProfile: number;
  registrationStatus: RegistrationStatus;
  dialect: Dialect;
}

/** Admission data for many identities in one query (in the order asked). */
export async function findChargersByIdentity(db: Db, identities: string[]): Promise<(ChargerAdmission | undefined)[]> {
  const rows = await db
    .selectFrom('chargers')
    .select(['id', 'serial_number', 'password_hash', 'security_profile', 'registration_status', 'dialect'])
    .where('serial_number', 'in', [...new Set(identities)])
    .execute();
  const byIdentity = new Map(rows.map((row) => [row.serial_number, {
    id: row.id,
    identity: row.serial_number,
    passwordHash: row.password_hash,
    securityProfile: row.security_profile,
    registrationStatus: row.registration_status,
    dialect: row.dialect as Dialect,
  }]));
  return identities.map((identity) => byIdentity.get(identity));
}

/** A charger nobody added: registered as Pending, without a charge point, until an admin accepts it. */
export async function registerUnknownCharger(db: Db, identity: string): Promise<ChargerAdmission> {
  await db
    .insertInto('chargers')
    .values({ serial_number: identity, registration_status: 'Pending', status: 'Unavailable' })
    .onConflict((conflict) => conflict.column('serial_number').doNothing())
    .execute();
  return (await findChargersByIdentity(db, [identity]))[0]!;
}

export interface Presence {
  chargerId: ChargerId;
  online: boolean;
  at: Date;
}

/**
 * Chargers connected to node `nodeId` or went away from it. Offline a charger is
 * Unavailable to the apps; back online it has the status its connectors last reported
 * (Available when they never did). Running sessions stay open either way until the
 * charger reports on them. A change older than the charger's last one is news that came
 * late (the charger has moved on, maybe to another node) and changes nothing; nor does
 * going offline from a node that no longer holds the charger. One query for the
 * connectors and one update, however many chargers.
 */
export async function setConnected(db: Db, nodeId: string, changes: Presence[]): Promise<void> {
  const latest = new Map(changes.map((change) => [change.chargerId, change]));
  await db.transaction().execute(async (trx) => {
    await lockChargers(trx, [...latest.keys()]);
    const cameOnline = [...latest.values()].filter((change) => change.online).map((change) => change.chargerId);
    const connectorsOf = new Map<ChargerId, { connector_id: number; status: string | null }[]>();
    if (cameOnline.length) {
      const rows = await trx.selectFrom('connectors').select(['charger_id', 'connector_id', 'status']).where('charger_id', 'in', cameOnline).execute();
      for (const row of rows) connectorsOf.set(row.charger_id, [...(connectorsOf.get(row.charger_id) ?? []), row]);
    }
    const ids: number[] = [];
    const online: boolean[] = [];
    const statuses: ChargerStatus[] = [];
    const times: string[] = [];
    for (const change of latest.values()) {
      ids.push(change.chargerId);
      online.push(change.online);
      statuses.push(change.online ? chargerStatusOf(connectorsOf.get(change.chargerId) ?? []) ?? 'Available' : 'Unavailable');
      times.push(change.at.toISOString());
    }
    await sql`
      update chargers set online = presence.online, status = presence.status, last_seen_at = presence.at, presence_at = presence.at,
        node_id = case when presence.online then ${nodeId} end
      from (select unnest(${ids}::int[]) as id, unnest(${online}::boolean[]) as online,
                   unnest(${statuses}::text[]) as status, unnest(${times}::timestamptz[]) as at) as presence
      where chargers.id = presence.id and (chargers.presence_at is null or chargers.presence_at <= presence.at)
        and (presence.online or chargers.node_id is null or chargers.node_id = ${nodeId})`.execute(trx);
  });
}

/** Every charger offline: after a restart no socket from before is alive. */
export async function markAllOffline(db: Db): Promise<void> {
  await db.updateTable('chargers').set({ online: false, status: 'Unavailable', node_id: null }).where('online', '=', true).execute();
}

export async function setDialect(db: Db, chargerId: ChargerId, dialect: Dialect): Promise<void> {
  await db.updateTable('chargers').set({ dialect }).where('id', '=', chargerId).execute();
}

/**
 * Last-seen times change on every frame; they are kept in memory and written in one
 * statement per flush, so a busy fleet costs one UPDATE every few seconds.
 */
export class LastSeenTracker {
  #pending = new Map<ChargerId, Date>();

  constructor(private readonly db: Db) {}

  seen(chargerId: ChargerId, at = new Date()): void {
    this.#pending.set(chargerId, at);
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const ids = [...batch.keys()];
    const times = ids.map((id) => batch.get(id)!.toISOString());
    await this.db.transaction().execute(async (trx) => {
      await lockChargers(trx, ids);
      await sql`
        update chargers set last_seen_at = seen.at
        from (select unnest(${ids}::int[]) as id, unnest(${times}::timestamptz[]) as at) as seen
        where chargers.id = seen.id and (chargers.last_seen_at is null or chargers.last_seen_at < seen.at)`.execute(trx);
    });
  }
}

/** The charger's column for each field of a BootNotification. */
const BOOT_COLUMNS = [
  ['vendor', 'chargePointVendor'], ['model', 'chargePointModel'], ['charge_point_serial', 'chargePointSerialNumber'],
  ['charge_box_serial', 'chargeBoxSerialNumber'], ['firmware_version', 'firmwareVersion'], ['iccid', 'iccid'], ['imsi', 'imsi'],
  ['meter_type', 'meterType'], ['meter_serial', 'meterSerialNumber'],
] as const;

/** What a BootNotification says about the charger: the fields it stores, each as sent. */
export type BootInfo = { readonly [Field in (typeof BOOT_COLUMNS)[number][1]]?: string };

export interface BootRecord {
  chargerId: ChargerId;
  boot: BootInfo;
  at: Date;
}

/** How a boot is answered, and what the subsystems need to know of the charger afterwards. */
export interface BootOutcome {
  status: RegistrationStatus;
  facts: BootFacts;
}

/**
 * Stores what BootNotifications said, many in one update, and reads what the subsystems
 * need to know of those chargers; gives each charger's registration status to answer with
 * (Rejected for one that no longer exists). A boot with another firmware version forgets
 * the connector count (a new firmware may count them differently).
 */
export async function recordBoots(db: Db, records: BootRecord[]): Promise<BootOutcome[]> {
  const ids = records.map((record) => record.chargerId);
  const times = records.map((record) => record.at.toISOString());
  const columns = BOOT_COLUMNS.map(([column, field]) => ({ column, values: records.map((record) => record.boot[field] ?? null) }));
  const { rows, facts } = await db.transaction().execute(async (trx) => {
    await lockChargers(trx, ids);
    const updated = await sql<{ id: number; registration_status: RegistrationStatus }>`
    update chargers set ${sql.join(columns.map(({ column }) => sql`${sql.ref(column)} = boot.${sql.ref(column)}`))},
      booted_at = boot.at, last_seen_at = boot.at,
      connector_count = case when chargers.firmware_version is distinct from boot.firmware_version then null else chargers.connector_count end,
      -- One that refused limits before (other firmware, other settings) is asked again.
      smart_charging = case when chargers.smart_charging = 'unsupported' then 'unknown' else chargers.smart_charging end
    from (select unnest(${ids}::int[]) as id, unnest(${times}::timestamptz[]) as at,
      ${sql.join(columns.map(({ column, values }) => sql`unnest(${values}::text[]) as ${sql.ref(column)}`))}) as boot
    where chargers.id = boot.id
    returning chargers.id, chargers.registration_status`.execute(trx);
    return { rows: updated.rows, facts: await bootFactsOf(trx, ids) };
  });
  const statusById = new Map(rows.map((row) => [row.id, row.registration_status]));
  return ids.map((id) => ({ status: statusById.get(id) ?? 'Rejected', facts: facts.get(id) ?? NO_FACTS }));
}
