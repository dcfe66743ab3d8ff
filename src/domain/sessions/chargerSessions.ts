import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import { literalList } from '../../db/literals.ts';
import type { SessionStatus } from '../../db/schema.ts';
import type { SessionCloseFlag } from '../chargingFacts.ts';
import type { ChargerId, ConnectorId, UserId, Wh } from '../units.ts';
import { APP_ONLY_SESSION_STATUSES, OPEN_SESSION_STATUSES } from './status.ts';

/** A session as the charger side needs it to tell what a message is about. */
export interface KnownSession {
  id: number;
  connectorId: ConnectorId | null;
  idTag: string | null;
  userId: UserId | null;
  meterStartWh: Wh | null;
  /** Epoch ms; null for a stop that belonged to no session. */
  startedAt: number | null;
  /** The idTag was accepted; a refused start never blocks its card. */
  accepted: boolean;
  open: boolean;
  /** Epoch ms of the charger's stop. */
  stoppedAt: number | null;
  meterStopWh: Wh | null;
  /** Why the central system closed it, when the charger never stopped it. */
  closedBy: SessionCloseFlag | null;
  /** The start answer's idTagInfo status, for a replayed StartTransaction. */
  startStatus: string;
}

/** Finished sessions kept per charger, for replayed and late messages. */
const RECENT_FINISHED = 8;
/** A charger that names ever new unknown ids is asked about them again after this many. */
const MAX_FOREIGN_IDS = 16;
export const CLOSE_FLAGS: readonly SessionCloseFlag[] = ['closedByNewTransaction', 'closedByConnectorStatus', 'closedAfterRefusedStart'];

const tagKey = (idTag: string) => idTag.toUpperCase();

/**
 * The sessions each connected charger has reported on — open ones and the latest finished
 * ones — kept in memory, so Start/Stop/MeterValues are decided without a database round
 * trip and still while the database is away. Facts decided here are what gets stored, in
 * order, so the memory is never behind the database; it is loaded from the database when
 * a charger connects and let go when it leaves (unless facts are still waiting to be stored).
 */
export class ChargerSessions {
  readonly #byCharger = new Map<ChargerId, KnownSession[]>();
  /** Open, accepted sessions per card (upper-cased), across chargers: ConcurrentTx. */
  readonly #openByTag = new Map<string, number>();
  /** Transaction ids a charger named that are not its sessions (a few per charger). */
  readonly #foreign = new Map<ChargerId, Set<number>>();

  has(chargerId: ChargerId): boolean {
    return this.#byCharger.has(chargerId);
  }

  load(chargerId: ChargerId, sessions: KnownSession[]): void {
    this.forget(chargerId);
    this.#byCharger.set(chargerId, []);
    for (const session of sessions) this.add(chargerId, session);
  }

  forget(chargerId: ChargerId): void {
    for (const session of this.#byCharger.get(chargerId) ?? []) this.#countTag(session, -1);
    this.#byCharger.delete(chargerId);
    this.#foreign.delete(chargerId);
  }

  /** Open sessions on every charger held here. */
  openCount(): number {
    let count = 0;
    for (const sessions of this.#byCharger.values()) for (const session of sessions) if (session.open) count++;
    return count;
  }

  /** The charger's open sessions. */
  openIds(chargerId: ChargerId): number[] {
    return (this.#byCharger.get(chargerId) ?? []).filter((session) => session.open).map((session) => session.id);
  }

  /** The database has no session of this charger with this id (so far: a session added later is found first). */
  isForeign(chargerId: ChargerId, sessionId: number): boolean {
    return this.#foreign.get(chargerId)?.has(sessionId) ?? false;
  }

  markForeign(chargerId: ChargerId, sessionId: number): void {
    let ids = this.#foreign.get(chargerId);
    if (!ids) this.#foreign.set(chargerId, (ids = new Set()));
    if (ids.size >= MAX_FOREIGN_IDS) ids.clear();
    ids.add(sessionId);
  }

  find(chargerId: ChargerId, sessionId: number): KnownSession | undefined {
    return this.#byCharger.get(chargerId)?.find((session) => session.id === sessionId);
  }

  /** The newest open session on the connector (on any connector when none is named). */
  openOn(chargerId: ChargerId, connectorId?: ConnectorId): KnownSession | undefined {
    let newest: KnownSession | undefined;
    for (const session of this.#byCharger.get(chargerId) ?? []) {
      if (!session.open || session.startedAt === null) continue;
      if (connectorId !== undefined && session.connectorId !== connectorId) continue;
      if (!newest || session.startedAt > newest.startedAt!) newest = session;
    }
    return newest;
  }

  /** Open sessions on a connector that began before `startedAt`: a new transaction there ends them. */
  openBefore(chargerId: ChargerId, connectorId: ConnectorId, startedAt: number): KnownSession[] {
    return (this.#byCharger.get(chargerId) ?? []).filter((session) =>
      session.open && session.connectorId === connectorId && session.startedAt !== null && session.startedAt < startedAt);
  }

  /** The session a StartTransaction with this content created before (a replay). */
  startedWith(chargerId: ChargerId, connectorId: ConnectorId | null, startedAt: number, meterStartWh: Wh | null): KnownSession | undefined {
    return this.#byCharger.get(chargerId)?.find((session) =>
      session.connectorId === connectorId && session.startedAt === startedAt && session.meterStartWh === meterStartWh);
  }

  /** The finished session a StopTransaction with this content stopped before (a replay). */
  stoppedWith(chargerId: ChargerId, stoppedAt: number, meterStopWh: Wh | null): KnownSession | undefined {
    return this.#byCharger.get(chargerId)?.find((session) =>
      !session.open && session.closedBy === null && session.stoppedAt === stoppedAt && session.meterStopWh === meterStopWh);
  }

  /** A card is in a session that is charging somewhere (the memory holds everything not yet stored). */
  isCharging(idTag: string): boolean {
    return (this.#openByTag.get(tagKey(idTag)) ?? 0) > 0;
  }

  add(chargerId: ChargerId, session: KnownSession): void {
    let sessions = this.#byCharger.get(chargerId);
    if (!sessions) this.#byCharger.set(chargerId, (sessions = []));
    sessions.push(session);
    this.#countTag(session, 1);
    this.#trim(sessions);
  }

  /** The session ended: stopped by the charger, or closed by the central system (`closedBy`). */
  finish(chargerId: ChargerId, sessionId: number, end: { stoppedAt: number; meterStopWh: Wh | null; closedBy: SessionCloseFlag | null }): void {
    const session = this.find(chargerId, sessionId);
    if (!session) return;
    if (session.open) this.#countTag(session, -1);
    Object.assign(session, { open: false, ...end });
    this.#trim(this.#byCharger.get(chargerId)!);
  }

  #countTag(session: KnownSession, delta: number): void {
    if (!session.open || !session.accepted || !session.idTag) return;
    const key = tagKey(session.idTag);
    const count = (this.#openByTag.get(key) ?? 0) + delta;
    if (count > 0) this.#openByTag.set(key, count);
    else this.#openByTag.delete(key);
  }

  /** Keeps every open session and the newest finished ones. */
  #trim(sessions: KnownSession[]): void {
    const finished = sessions.filter((session) => !session.open);
    if (finished.length <= RECENT_FINISHED) return;
    const drop = new Set(finished.sort((a, b) => b.id - a.id).slice(RECENT_FINISHED));
    for (let i = sessions.length - 1; i >= 0; i--) if (drop.has(sessions[i]!)) sessions.splice(i, 1);
  }
}

interface SessionRow {
  id: number; charger_id: number; connector_id: number | null; id_tag: string | null; user_id: number | null;
  meter_start_wh: number | null; started_at: Date | null; status: SessionStatus; stopped_at: Date | null; meter_stop_wh: number | null; flags: string[];
}

const COLUMNS = sql`id, charger_id, connector_id, id_tag, user_id, meter_start_wh, started_at, status, stopped_at, meter_stop_wh, flags`;
/** Sessions no charger has reported on are the app's alone: a charger's messages never name them. */
const APP_ONLY = literalList(APP_ONLY_SESSION_STATUSES);

/** The open and latest finished sessions of these chargers, from the database. */
export async function loadChargerSessions(db: Db, chargerIds: ChargerId[]): Promise<Map<ChargerId, KnownSession[]>> {
  const { rows } = await sql<SessionRow>`
    select s.* from unnest(${chargerIds}::int[]) as c(id)
    cross join lateral (
      (select ${COLUMNS} from charging_sessions where charger_id = c.id and status not in ${APP_ONLY} order by id desc limit ${RECENT_FINISHED})
      union
      (select ${COLUMNS} from charging_sessions where charger_id = c.id and status = any(${OPEN_SESSION_STATUSES}::text[]) and started_at is not null)
    ) as s`.execute(db);
  const byCharger = new Map<ChargerId, KnownSession[]>(chargerIds.map((id) => [id, []]));
  for (const row of rows) {
    const session = knownSession(row);
    if (session) byCharger.get(row.charger_id)!.push(session);
  }
  return byCharger;
}

/** One session of a charger by id (an old one a late message names), if it is the charger's. */
export async function loadChargerSession(db: Db, chargerId: ChargerId, sessionId: number): Promise<KnownSession | undefined> {
  const { rows } = await sql<SessionRow>`
    select ${COLUMNS} from charging_sessions where id = ${sessionId} and charger_id = ${chargerId} and status not in ${APP_ONLY}`.execute(db);
  return rows[0] && knownSession(rows[0]);
}

function knownSession(row: SessionRow): KnownSession | undefined {
  // A session waiting for its charger's StartTransaction has not begun: it is the app's, not the charger's.
  if (row.status === 'Starting' && row.started_at === null) return undefined;
  const startStatus = startStatusOf(row.flags);
  return {
    id: row.id,
    connectorId: row.connector_id,
    idTag: row.id_tag,
    userId: row.user_id,
    meterStartWh: row.meter_start_wh === null ? null : Number(row.meter_start_wh),
    startedAt: row.started_at?.getTime() ?? null,
    accepted: startStatus === 'Accepted' && row.status !== 'Stopping',
    open: OPEN_SESSION_STATUSES.includes(row.status),
    stoppedAt: row.stopped_at?.getTime() ?? null,
    meterStopWh: row.meter_stop_wh === null ? null : Number(row.meter_stop_wh),
    closedBy: CLOSE_FLAGS.find((flag) => row.flags.includes(flag) && !row.flags.includes('stoppedAfterClose')) ?? null,
    startStatus,
  };
}

/** The idTagInfo status a start was answered with, from its flags (idTagBlocked → Blocked). */
function startStatusOf(flags: string[]): string {
  const refused = flags.find((flag) => flag.startsWith('idTag'));
  if (refused) return refused.slice('idTag'.length);
  return flags.includes('missingIdTag') ? 'Invalid' : 'Accepted';
}
