import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { CommandResponse } from './chargerGateway.ts';
import { DomainError } from './errors.ts';
import { lockChargers } from './chargerLocks.ts';
import type { ChargerId, ConnectorId } from './units.ts';

/** A NumberOfConnectors above this is a misconfigured charger, not one with that many outlets. */
export const MAX_CONNECTORS = 32;

/** A connector as the charger last reported it; the status fields are null until it reports (known from NumberOfConnectors only). */
export interface ConnectorState {
  connectorId: ConnectorId;
  status: string | null;
  errorCode: string | null;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  /** The charger's time of the report (ours when it gave none). */
  statusAt: Date | null;
  receivedAt: Date | null;
}

/** One StatusNotification as stored, in the order stored (`id`). */
export interface StatusHistoryEntry {
  id: number;
  connectorId: ConnectorId;
  status: string;
  errorCode: string;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  statusAt: Date;
  receivedAt: Date;
}

export interface StatusHistoryQuery {
  connectorId?: ConnectorId;
  /** Only reports with an error code other than NoError, or status Faulted. */
  errorsOnly?: boolean;
  limit: number;
  /** Only entries stored before the one with this id. */
  before?: number;
}

/** The connector count a charger gave for NumberOfConnectors, when it gave a believable one. */
export function connectorCountOf(answer: CommandResponse<'GetConfiguration'>): number | undefined {
  const entry = answer.configurationKey?.find((item) => item.key === 'NumberOfConnectors');
  const value = entry?.value?.trim();
  if (!value || !/^\d{1,3}$/.test(value)) return undefined;
  const count = Number(value);
  return count >= 1 && count <= MAX_CONNECTORS ? count : undefined;
}

/**
 * The status that says whether a connector can take a session: the whole charger's
 * (connector 0) when it is out of order, else the connector's own; undefined when the
 * connector has not reported.
 */
export function connectorStatusOf(connectors: readonly { connector_id: number; status: string | null }[], connectorId: ConnectorId): string | undefined {
  const whole = connectors.find((c) => c.connector_id === 0);
  if (whole?.status === 'Unavailable' || whole?.status === 'Faulted') return whole.status;
  return connectors.find((c) => c.connector_id === connectorId)?.status ?? undefined;
}

/** A charger's connectors (0, the charger as a whole, once it reported), by number. */
export async function listConnectors(db: Db, chargerId: ChargerId): Promise<ConnectorState[]> {
  const rows = await db.selectFrom('connectors').selectAll().where('charger_id', '=', chargerId).orderBy('connector_id').execute();
  return rows.map((row) => ({
    connectorId: row.connector_id, status: row.status, errorCode: row.error_code, info: row.info, vendorId: row.vendor_id,
    vendorErrorCode: row.vendor_error_code, statusAt: row.status_at, receivedAt: row.received_at,
  }));
}

/** Remembers the charger's connector count and makes sure connectors 1..count exist; one that has not reported yet has no status. */
export async function ensureConnectors(db: Db, chargerId: ChargerId, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, index) => ({
    charger_id: chargerId, connector_id: index + 1, status: null, error_code: null, status_at: null, received_at: null,
  }));
  // Under the charger's lock, as a StatusNotification writes its connector: without it the two
  // deadlock (this insert's foreign-key check waits for the charger row the other holds, the
  // other's insert waits for this uncommitted connector row).
  await db.transaction().execute(async (trx) => {
    await lockChargers(trx, [chargerId]);
    await trx.insertInto('connectors').values(rows).onConflict((conflict) => conflict.columns(['charger_id', 'connector_id']).doNothing()).execute();
    await trx.updateTable('chargers').set({ connector_count: count }).where('id', '=', chargerId).execute();
  });
}

/** A charger's past StatusNotifications, newest first. */
export async function statusHistory(db: Db, chargerId: ChargerId, query: StatusHistoryQuery): Promise<StatusHistoryEntry[]> {
  let select = db.selectFrom('connector_status_history').selectAll().where('charger_id', '=', chargerId);
  if (query.connectorId !== undefined) select = select.where('connector_id', '=', query.connectorId);
  // The same condition as the partial index connector_status_history_errors, so it is used.
  if (query.errorsOnly) select = select.where(sql<boolean>`(error_code <> 'NoError' or status = 'Faulted')`);
  if (query.before !== undefined) select = select.where('id', '<', query.before);
  const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map((row) => ({
    id: Number(row.id), connectorId: row.connector_id, status: row.status, errorCode: row.error_code, info: row.info,
    vendorId: row.vendor_id, vendorErrorCode: row.vendor_error_code, statusAt: row.status_at, receivedAt: row.received_at,
  }));
}

/**
 * The connector a session or reservation on the charger uses: the one asked for, which must
 * be one of the charger's known connectors (from its StatusNotifications and
 * NumberOfConnectors), or connector 1. A charger that never told its connectors has one.
 */
export async function connectorFor(db: Db, chargerId: ChargerId, requested: ConnectorId | undefined): Promise<ConnectorId> {
  if (requested === undefined) return 1;
  const known = await db.selectFrom('connectors').select('connector_id').where('charger_id', '=', chargerId).where('connector_id', '>', 0).execute();
  const outlets = known.length ? known.map((row) => row.connector_id) : [1];
  if (!outlets.includes(requested)) {
    throw new DomainError('notFound', ['connectorNotFound'], `Charger ${chargerId} has no connector ${requested} (it has ${outlets.join(', ')})`);
  }
  return requested;
}

/**
 * The status that says whether a session or reservation can begin on a connector. A
 * charger with one connector, and the FlexiCharge charger, are one connector to the apps:
 * the charger's status counts. On a charger with several, the connector's own counts (the
 * whole charger's when it is out of order; the charger's while the connector has not reported).
 */
export async function sessionStatusOf(db: Db, charger: { id: ChargerId; status: string; dialect: string }, connectorId: ConnectorId): Promise<string> {
  if (charger.dialect === 'flexicharge') return charger.status;
  const rows = await db.selectFrom('connectors').select(['connector_id', 'status']).where('charger_id', '=', charger.id).execute();
  if (rows.filter((row) => row.connector_id > 0).length <= 1) return charger.status;
  return connectorStatusOf(rows, connectorId) ?? charger.status;
}

/** Whether sessions and reservations on the charger are per connector: not on the FlexiCharge charger, which is one connector. */
export const perConnector = (charger: { dialect: string }) => charger.dialect !== 'flexicharge';
