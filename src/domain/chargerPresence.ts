import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { CHARGER_STATUSES, type ChargerId, type ChargerStatus, type ConnectorId, type Dialect } from './units.ts';

/** What the OCPP server needs to admit a connecting charger. */
export interface ChargerAdmission {
  id: ChargerId;
  identity: string;
  passwordHash: string | null;
  registrationStatus: 'Accepted' | 'Pending' | 'Rejected';
  dialect: Dialect;
}

export async function findChargerByIdentity(db: Db, identity: string): Promise<ChargerAdmission | undefined> {
  const row = await db
    .selectFrom('chargers')
    .select(['id', 'serial_number', 'password_hash', 'registration_status', 'dialect'])
    .where('serial_number', '=', identity)
    .executeTakeFirst();
  return row && {
    id: row.id,
    identity: row.serial_number,
    passwordHash: row.password_hash,
    registrationStatus: row.registration_status as ChargerAdmission['registrationStatus'],
    dialect: row.dialect as Dialect,
  };
}

/** A charger nobody added: registered as Pending, without a charge point, until an admin accepts it. */
export async function registerUnknownCharger(db: Db, identity: string): Promise<ChargerAdmission> {
  await db
    .insertInto('chargers')
    .values({ serial_number: identity, registration_status: 'Pending', status: 'Unavailable' })
    .onConflict((conflict) => conflict.column('serial_number').doNothing())
    .execute();
  return (await findChargerByIdentity(db, identity))!;
}

/**
 * A charger connected or went away. Offline it is Unavailable to the apps; back online
 * it has the status its connectors last reported (Available when they never did).
 * Its running sessions stay open either way until the charger reports on them.
 */
export async function setConnected(db: Db, chargerId: ChargerId, online: boolean, at = new Date()): Promise<void> {
  let status: ChargerStatus = 'Unavailable';
  if (online) {
    const connectors = await db.selectFrom('connectors').select(['connector_id', 'status']).where('charger_id', '=', chargerId).execute();
    status = chargerStatusOf(connectors) ?? 'Available';
  }
  await db.updateTable('chargers').set({ online, status, last_seen_at: at }).where('id', '=', chargerId).execute();
}

/** Every charger offline: after a restart no socket from before is alive. */
export async function markAllOffline(db: Db): Promise<void> {
  await db.updateTable('chargers').set({ online: false, status: 'Unavailable' }).where('online', '=', true).execute();
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
    await sql`
      update chargers set last_seen_at = seen.at
      from (select unnest(${ids}::int[]) as id, unnest(${times}::timestamptz[]) as at) as seen
      where chargers.id = seen.id and (chargers.last_seen_at is null or chargers.last_seen_at < seen.at)`.execute(this.db);
  }
}

export interface BootInfo {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

/** Stores what a BootNotification said; returns the registration status to answer with. */
export async function recordBoot(db: Db, chargerId: ChargerId, boot: BootInfo, at = new Date()): Promise<ChargerAdmission['registrationStatus']> {
  const row = await db
    .updateTable('chargers')
    .set({
      vendor: boot.chargePointVendor,
      model: boot.chargePointModel,
      charge_point_serial: boot.chargePointSerialNumber ?? null,
      charge_box_serial: boot.chargeBoxSerialNumber ?? null,
      firmware_version: boot.firmwareVersion ?? null,
      iccid: boot.iccid ?? null,
      imsi: boot.imsi ?? null,
      meter_type: boot.meterType ?? null,
      meter_serial: boot.meterSerialNumber ?? null,
      booted_at: at,
      last_seen_at: at,
    })
    .where('id', '=', chargerId)
    .returning('registration_status')
    .executeTakeFirst();
  return (row?.registration_status ?? 'Rejected') as ChargerAdmission['registrationStatus'];
}

export interface StatusReport {
  connectorId: ConnectorId;
  status: ChargerStatus;
  errorCode: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  timestamp?: string;
}

/**
 * The status the apps see for a charger with several connectors: the whole charger
 * (connector 0) when it is out of order, else Available when any connector is, else
 * connector 1's status.
 */
export function chargerStatusOf(connectors: { connector_id: number; status: string }[]): ChargerStatus | undefined {
  const known = connectors.filter((c): c is { connector_id: number; status: ChargerStatus } => (CHARGER_STATUSES as readonly string[]).includes(c.status));
  const whole = known.find((c) => c.connector_id === 0);
  if (whole && (whole.status === 'Unavailable' || whole.status === 'Faulted')) return whole.status;
  const outlets = known.filter((c) => c.connector_id > 0).sort((a, b) => a.connector_id - b.connector_id);
  if (outlets.some((c) => c.status === 'Available')) return 'Available';
  return outlets[0]?.status ?? whole?.status;
}

/** Stores a StatusNotification for its connector and updates the charger's status. */
export async function recordStatus(db: Db, chargerId: ChargerId, report: StatusReport): Promise<ChargerStatus | undefined> {
  const at = report.timestamp ? new Date(report.timestamp) : new Date();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('connectors')
      .values({
        charger_id: chargerId,
        connector_id: report.connectorId,
        status: report.status,
        error_code: report.errorCode,
        info: report.info ?? null,
        vendor_id: report.vendorId ?? null,
        vendor_error_code: report.vendorErrorCode ?? null,
        status_at: at,
      })
      .onConflict((conflict) => conflict.columns(['charger_id', 'connector_id']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        error_code: eb.ref('excluded.error_code'),
        info: eb.ref('excluded.info'),
        vendor_id: eb.ref('excluded.vendor_id'),
        vendor_error_code: eb.ref('excluded.vendor_error_code'),
        status_at: eb.ref('excluded.status_at'),
      })))
      .execute();
    const connectors = await trx.selectFrom('connectors').select(['connector_id', 'status']).where('charger_id', '=', chargerId).execute();
    const status = chargerStatusOf(connectors);
    if (status) await trx.updateTable('chargers').set({ status, updated_at: new Date() }).where('id', '=', chargerId).execute();
    return status;
  });
}
