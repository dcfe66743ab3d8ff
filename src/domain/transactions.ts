import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { authorizeIdTag, ownerOfIdTag, type IdTagInfo } from './idTags.ts';
import { currentPricePerKwh } from './pricing.ts';
import { latestReading, storeMeterValues, type MeterValue, type SessionReading } from './meterValues.ts';
import type { ChargerId, ConnectorId } from './units.ts';

/**
 * The charger's side of a charging session (OCPP StartTransaction, StopTransaction,
 * MeterValues). None of these ever fails towards the charger: replays are answered the
 * same way, unknown or impossible values are stored and flagged for a person to look at.
 */

/** Sessions that hold a connector: a charger reports on them until they stop. */
export const OPEN_STATUSES = ['Starting', 'Charging', 'Stopping'] as const;

/** A start reported this long before it arrived was queued by the charger (offline replay). */
const LATE_MS = 5 * 60_000;

export interface StartReport {
  connectorId: ConnectorId;
  idTag?: string;
  meterStart: number;
  timestamp?: string;
  reservationId?: number;
}

export interface StartAnswer {
  transactionId: number;
  idTagInfo: IdTagInfo;
}

function flagsFor(timestamp: Date, receivedAt: Date): string[] {
  return receivedAt.getTime() - timestamp.getTime() > LATE_MS ? ['lateReport'] : [];
}

const parseTime = (value: string | undefined, fallback: Date) => {
  const date = value ? new Date(value) : fallback;
  return Number.isNaN(date.getTime()) ? fallback : date;
};

export async function startTransaction(db: Db, chargerId: ChargerId, report: StartReport, receivedAt = new Date()): Promise<StartAnswer> {
  const startedAt = parseTime(report.timestamp, receivedAt);
  const replay = await findStart(db, chargerId, report.connectorId, startedAt, report.meterStart);
  if (replay) return { transactionId: replay.id, idTagInfo: { status: 'Accepted' } };

  // A start the server asked for (RemoteStartTransaction) is waiting on this connector.
  const requested = await db
    .selectFrom('charging_sessions')
    .select(['id', 'id_tag', 'user_id'])
    .where('charger_id', '=', chargerId)
    .where('connector_id', '=', report.connectorId)
    .where('status', '=', 'Starting')
    .where('started_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();

  const idTag = report.idTag ?? requested?.id_tag ?? undefined;
  const flags = flagsFor(startedAt, receivedAt);
  let idTagInfo: IdTagInfo;
  if (!idTag) {
    idTagInfo = { status: 'Invalid' };
    flags.push('missingIdTag');
  } else if (requested && requested.id_tag?.toUpperCase() === idTag.toUpperCase()) {
    idTagInfo = { status: 'Accepted' };
  } else {
    idTagInfo = await authorizeIdTag(db, idTag);
  }
  if (idTagInfo.status !== 'Accepted') flags.push(`idTag${idTagInfo.status}`);
  const reservationId = report.reservationId === undefined ? null : await knownReservation(db, chargerId, report.reservationId);
  if (report.reservationId !== undefined && reservationId === null) flags.push('unknownReservation');

  const values = {
    status: idTagInfo.status === 'Accepted' ? 'Charging' : 'Stopping',
    id_tag: idTag ?? null,
    meter_start_wh: report.meterStart,
    started_at: startedAt,
    reservation_id: reservationId,
    updated_at: receivedAt,
  };
  try {
    if (requested) {
      await db
        .updateTable('charging_sessions')
        .set({ ...values, flags: sql`flags || ${flags}::text[]` })
        .where('id', '=', requested.id)
        .execute();
      return { transactionId: requested.id, idTagInfo };
    }
    const created = await db
      .insertInto('charging_sessions')
      .values({
        ...values,
        charger_id: chargerId,
        connector_id: report.connectorId,
        user_id: idTag ? await ownerOfIdTag(db, idTag) : null,
        price_per_kwh_ore: await currentPricePerKwh(db, chargerId, startedAt),
        flags,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { transactionId: created.id, idTagInfo };
  } catch (error) {
    // The same start reported twice at once (e.g. over an old and a new connection).
    if (!isUniqueViolation(error)) throw error;
    const existing = await findStart(db, chargerId, report.connectorId, startedAt, report.meterStart);
    return { transactionId: existing!.id, idTagInfo };
  }
}

async function knownReservation(db: Db, chargerId: ChargerId, reservationId: number): Promise<number | null> {
  if (!Number.isInteger(reservationId) || reservationId <= 0 || reservationId > 2147483647) return null;
  const row = await db.selectFrom('reservations').select('id').where('id', '=', reservationId).where('charger_id', '=', chargerId).executeTakeFirst();
  return row?.id ?? null;
}

function findStart(db: Db, chargerId: ChargerId, connectorId: ConnectorId, startedAt: Date, meterStart: number) {
  return db
    .selectFrom('charging_sessions')
    .select('id')
    .where('charger_id', '=', chargerId)
    .where('connector_id', '=', connectorId)
    .where('started_at', '=', startedAt)
    .where('meter_start_wh', '=', meterStart)
    .executeTakeFirst();
}

export interface StopReport {
  transactionId: number;
  meterStop: number;
  timestamp?: string;
  reason?: string;
  idTag?: string;
  transactionData?: MeterValue[];
}

export interface StopAnswer {
  sessionId: number;
  idTagInfo?: IdTagInfo;
}

/** The session with the charger's transactionId, when it is this charger's. */
function ownSession(db: Db, chargerId: ChargerId, transactionId: number | undefined) {
  if (transactionId === undefined || !Number.isInteger(transactionId) || transactionId <= 0 || transactionId > 2147483647) return Promise.resolve(undefined);
  return db.selectFrom('charging_sessions').selectAll().where('id', '=', transactionId).where('charger_id', '=', chargerId).executeTakeFirst();
}

/** The charger's running session, on the connector when one is named. */
function openSession(db: Db, chargerId: ChargerId, connectorId?: ConnectorId) {
  let query = db
    .selectFrom('charging_sessions')
    .selectAll()
    .where('charger_id', '=', chargerId)
    .where('status', 'in', [...OPEN_STATUSES])
    .where('started_at', 'is not', null);
  if (connectorId !== undefined) query = query.where('connector_id', '=', connectorId);
  return query.orderBy('started_at', 'desc').executeTakeFirst();
}

const isOpen = (session: { status: string }) => OPEN_STATUSES.includes(session.status as never);

/**
 * The session a charger means: its own id while that session runs; else (FlexiCharge
 * chargers always say 1, offline starts say -1) the charger's running session on that
 * connector; else a finished session of its own (a late reading, a replayed stop).
 * `ownFirst` decides when a finished own session wins over a running one.
 */
async function resolveSession(
  db: Db, chargerId: ChargerId, transactionId: number | undefined, connectorId?: ConnectorId,
  ownFirst: (own: NonNullable<Awaited<ReturnType<typeof ownSession>>>) => boolean = () => false,
) {
  const own = await ownSession(db, chargerId, transactionId);
  if (own && (isOpen(own) || ownFirst(own))) return { session: own, reconciled: false };
  const open = await openSession(db, chargerId, connectorId);
  if (open) return { session: open, reconciled: true };
  return { session: own, reconciled: false };
}

export async function stopTransaction(db: Db, chargerId: ChargerId, report: StopReport, receivedAt = new Date()): Promise<StopAnswer> {
  const stoppedAt = parseTime(report.timestamp, receivedAt);
  // A finished session's own stop arriving again is a replay; any other stop for it means the running one.
  const { session, reconciled } = await resolveSession(db, chargerId, report.transactionId, undefined, (own) => isSameStop(own, report.meterStop, stoppedAt));
  const idTagInfo = report.idTag ? await stopIdTagInfo(db, report.idTag, session?.id_tag ?? null) : undefined;

  if (!session) {
    // Nothing to attach it to: keep the report as a flagged session of its own.
    const orphan = await db
      .insertInto('charging_sessions')
      .values({
        charger_id: chargerId,
        status: 'Completed',
        id_tag: report.idTag ?? null,
        meter_stop_wh: report.meterStop,
        stopped_at: stoppedAt,
        stop_reason: report.reason ?? 'Local',
        flags: ['unknownTransaction', ...flagsFor(stoppedAt, receivedAt)],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await storeTransactionData(db, chargerId, 0, orphan.id, report.transactionData);
    return { sessionId: orphan.id, idTagInfo };
  }
  if (session.status === 'Completed' || session.status === 'Failed' || session.status === 'Cancelled') {
    return { sessionId: session.id, idTagInfo };
  }

  const flags = flagsFor(stoppedAt, receivedAt);
  if (reconciled) flags.push('reconciledTransactionId');
  const meterStart = session.meter_start_wh ?? report.meterStop;
  if (report.meterStop < meterStart) flags.push('meterStopBelowMeterStart');
  if (idTagInfo && idTagInfo.status !== 'Accepted') flags.push('stopIdTagMismatch');

  await storeTransactionData(db, chargerId, session.connector_id ?? 0, session.id, report.transactionData);
  await db
    .updateTable('charging_sessions')
    .set({
      status: 'Completed',
      meter_stop_wh: report.meterStop,
      energy_wh: Math.max(0, report.meterStop - meterStart),
      stopped_at: stoppedAt,
      stop_reason: report.reason ?? 'Local',
      flags: sql`flags || ${flags}::text[]`,
      updated_at: receivedAt,
    })
    .where('id', '=', session.id)
    .execute();
  return { sessionId: session.id, idTagInfo };
}

function isSameStop(session: { meter_stop_wh: number | null; stopped_at: Date | null }, meterStop: number, stoppedAt: Date): boolean {
  return session.meter_stop_wh === meterStop && session.stopped_at?.getTime() === stoppedAt.getTime();
}

/** A stop with the start's tag (or any tag valid now) is Accepted; the stop happens either way. */
async function stopIdTagInfo(db: Db, idTag: string, startTag: string | null): Promise<IdTagInfo> {
  if (startTag && startTag.toUpperCase() === idTag.toUpperCase()) return { status: 'Accepted' };
  const info = await authorizeIdTag(db, idTag);
  return info.status === 'ConcurrentTx' ? { ...info, status: 'Accepted' } : info;
}

async function storeTransactionData(db: Db, chargerId: ChargerId, connectorId: ConnectorId, sessionId: number, data?: MeterValue[]) {
  if (data?.length) await storeMeterValues(db, { chargerId, connectorId, sessionId }, data);
}

export interface MeterReport {
  connectorId: ConnectorId;
  transactionId?: number;
  meterValue: MeterValue[];
}

/** The session a MeterValues belongs to, with what a live summary needs. */
export interface MeteredSession {
  id: number;
  user_id: number | null;
  meter_start_wh: number | null;
  running: boolean;
}

/**
 * Stores the samples (kept against the charger when they belong to no known session;
 * a reading after the stop still belongs to that session) and returns the session and
 * the newest totals for its summary.
 */
export async function recordMeterValues(db: Db, chargerId: ChargerId, report: MeterReport): Promise<{ session?: MeteredSession; reading?: SessionReading }> {
  // Connector 0 without a transaction is the charger's own meter, not a session's.
  const { session } = report.connectorId === 0 && report.transactionId === undefined
    ? { session: undefined }
    : await resolveSession(db, chargerId, report.transactionId, report.connectorId > 0 ? report.connectorId : undefined);
  await storeMeterValues(db, { chargerId, connectorId: report.connectorId, sessionId: session?.id ?? null }, report.meterValue);
  return {
    session: session && { id: session.id, user_id: session.user_id, meter_start_wh: session.meter_start_wh, running: isOpen(session) },
    reading: latestReading(report.meterValue),
  };
}
