import type { Logger } from 'pino';
import type { Db } from '../../db/connection.ts';
import { Batcher } from '../../db/batcher.ts';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import type { Authorization, Authorizer } from '../authorization.ts';
import type { MeterReport, StartReport, StopReport } from '../chargerReports.ts';
import { loadChargerSession, loadChargerSessions, type ChargerSessions, type KnownSession } from './chargerSessions.ts';
import type { ChargingFact, FactSink, SessionClosed, SessionCloseFlag } from '../chargingFacts.ts';
import type { IdTagInfo } from '../idTags.ts';
import { latestReading, toSamples, type SessionReading } from '../meterValues.ts';
import type { LiveSummary, SessionSummaries } from './summaries.ts';
import type { TransactionIds } from './transactionIds.ts';
import type { ChargerId, ConnectorId } from '../units.ts';

/**
 * The charger's side of a charging session (OCPP StartTransaction, StopTransaction,
 * MeterValues). None of these ever fails towards the charger: replays are answered the
 * same way, unknown or impossible values are stored and flagged for a person to look at,
 * and every answer waits until what the message carried is durable (in the database, or
 * in the journal while the database is away).
 */

/** A start reported this long before it arrived was queued by the charger (offline replay). */
const LATE_MS = 5 * 60_000;

export interface StartAnswer {
  transactionId: number;
  idTagInfo: IdTagInfo;
}

export interface StopAnswer {
  sessionId: number;
  idTagInfo?: IdTagInfo;
}

/** The session a MeterValues belonged to, when it is running, and its summary if the reading was news. */
export interface MeterAnswer {
  live?: LiveSummary;
}

/** The app's session waiting for this StartTransaction (it sent RemoteStartTransaction). */
interface RequestedSession {
  id: number;
  idTag: string | null;
  userId: number | null;
}

export interface TransactionRecorderDeps {
  db: Db;
  sink: FactSink;
  ids: TransactionIds;
  authorizer: Authorizer;
  sessions: ChargerSessions;
  summaries: SessionSummaries;
  /** Facts are waiting in the journal: the memory is ahead of the database. */
  backlogged(): boolean;
  logger: Logger;
}

const lateFlag = (at: Date, receivedAt: Date) => (receivedAt.getTime() - at.getTime() > LATE_MS ? ['lateReport'] : []);

export class TransactionRecorder {
  readonly #loads: Batcher<ChargerId, undefined>;
  /** Messages per charger whose facts are being stored right now. */
  readonly #storing = new Map<ChargerId, number>();

  constructor(private readonly deps: TransactionRecorderDeps) {
    this.#loads = new Batcher<ChargerId, undefined>(async (chargerIds) => {
      const loaded = await loadChargerSessions(deps.db, [...new Set(chargerIds)]);
      for (const [chargerId, sessions] of loaded) if (!this.#memoryAhead(chargerId)) deps.sessions.load(chargerId, sessions);
      return chargerIds.map(() => undefined);
    });
  }

  /**
   * A charger connected: its sessions are read from the database (many chargers in one
   * query). While facts wait in the journal the memory is newer than the database and
   * stays. Never fails: without the database the charger is served from what is known.
   */
  async prepare(chargerId: ChargerId): Promise<void> {
    if (this.#memoryAhead(chargerId)) return;
    await this.#loads.add(chargerId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, chargerId }, 'could not read the charger\'s sessions');
    });
  }

  /**
   * The charger left; its sessions are read again when it comes back (another node may have
   * served it meanwhile), and their live summaries are stored and let go: the node it comes
   * back to keeps them from then on, and a stale one here must not answer for it.
   */
  release(chargerId: ChargerId): void {
    if (this.#memoryAhead(chargerId)) return;
    this.deps.summaries.letGo(this.deps.sessions.openIds(chargerId));
    this.deps.sessions.forget(chargerId);
  }

  /**
   * What the memory knows of a charger may not be in the database yet: facts wait in the
   * journal, or a message of the charger's (on a connection it just left) is being stored.
   */
  #memoryAhead(chargerId: ChargerId): boolean {
    return this.deps.sessions.has(chargerId) && (this.deps.backlogged() || (this.#storing.get(chargerId) ?? 0) > 0);
  }

  /** Stores a charger's facts, counting them as in flight meanwhile. */
  async #store(chargerId: ChargerId, facts: ChargingFact[]): Promise<void> {
    this.#storing.set(chargerId, (this.#storing.get(chargerId) ?? 0) + 1);
    try {
      await this.deps.sink.submit(facts);
    } finally {
      const left = this.#storing.get(chargerId)! - 1;
      if (left > 0) this.#storing.set(chargerId, left);
      else this.#storing.delete(chargerId);
    }
  }

  async start(chargerId: ChargerId, report: StartReport, remoteStartTag?: string, receivedAt = new Date()): Promise<StartAnswer> {
    const { sessions } = this.deps;
    await this.#ensureLoaded(chargerId);
    const startedAt = report.startedAt.getTime();
    const replay = sessions.startedWith(chargerId, report.connectorId, startedAt, report.meterStartWh);
    if (replay) return { transactionId: replay.id, idTagInfo: { status: replay.startStatus as IdTagInfo['status'] } };

    const requested = remoteStartTag !== undefined && report.connectorId !== null ? await this.#requested(chargerId, report.connectorId) : undefined;
    const idTag = report.idTag ?? requested?.idTag ?? null;
    const flags = [...report.flags, ...lateFlag(report.startedAt, receivedAt)];

    // A new transaction on a connector ends whatever the charger left open there.
    const ending = report.connectorId === null ? [] : sessions.openBefore(chargerId, report.connectorId, startedAt);
    const closes: SessionClosed[] = ending.map((session) => this.#close(chargerId, session, 'closedByNewTransaction', report.startedAt));

    let authorization: Authorization;
    if (!idTag) {
      authorization = { info: { status: 'Invalid' }, userId: null, offline: false };
      flags.push('missingIdTag');
    } else if (!report.idTagUsable) {
      authorization = { info: { status: 'Invalid' }, userId: null, offline: false };
    } else if (requested && requested.idTag?.toUpperCase() === idTag.toUpperCase()) {
      authorization = { info: { status: 'Accepted' }, userId: requested.userId, offline: false };
    } else {
      authorization = await this.deps.authorizer.authorize(idTag, ending.map((session) => session.id));
    }
    const { info } = authorization;
    if (info.status !== 'Accepted') flags.push(`idTag${info.status}`);
    if (authorization.offline) flags.push('authorizedOffline');

    const sessionId = requested?.id ?? (await this.deps.ids.next());
    sessions.add(chargerId, {
      id: sessionId, connectorId: report.connectorId, idTag, userId: requested?.userId ?? authorization.userId,
      meterStartWh: report.meterStartWh, startedAt, accepted: info.status === 'Accepted', open: true,
      stoppedAt: null, meterStopWh: null, closedBy: null, startStatus: info.status,
    });
    await this.#store(chargerId, [...closes, {
      kind: 'start', sessionId, requested: requested !== undefined, chargerId, connectorId: report.connectorId, idTag,
      accepted: info.status === 'Accepted', meterStartWh: report.meterStartWh, startedAt: report.startedAt.toISOString(),
      receivedAt: receivedAt.toISOString(), reservationId: report.reservationId, flags,
    }]);
    return { transactionId: sessionId, idTagInfo: info };
  }

  async stop(chargerId: ChargerId, report: StopReport, receivedAt = new Date()): Promise<StopAnswer> {
    const { sessions } = this.deps;
    await this.#ensureLoaded(chargerId);
    const stoppedAt = report.stoppedAt.getTime();
    const own = report.transactionId === null ? undefined : await this.#own(chargerId, report.transactionId);
    // The same stop again (its answer was lost): answered alike, nothing changes.
    const replay = own?.open ? undefined : own && sameStop(own, stoppedAt, report.meterStopWh) ? own : sessions.stoppedWith(chargerId, stoppedAt, report.meterStopWh);
    if (replay) {
      return { sessionId: replay.id, idTagInfo: report.idTag ? await this.#stopTagInfo(report, replay.idTag) : undefined };
    }
    // FlexiCharge chargers always say 1, offline starts say -1: the charger's running session is meant.
    const running = own?.open ? own : sessions.openOn(chargerId);
    const session = running ?? own;
    const idTagInfo = report.idTag ? await this.#stopTagInfo(report, session?.idTag ?? null) : undefined;
    const flags = [...report.flags, ...lateFlag(report.stoppedAt, receivedAt)];
    if (running && running !== own) flags.push('reconciledTransactionId');
    if (idTagInfo && idTagInfo.status !== 'Accepted') flags.push('stopIdTagMismatch');
    // A session the central system closed may still get its charger's real stop; any other finished one is done.
    if (session && !session.open && session.closedBy === null) return { sessionId: session.id, idTagInfo };

    const sessionId = session?.id ?? (await this.deps.ids.next());
    if (!session) flags.push('unknownTransaction');
    const summary = session ? this.deps.summaries.take(session.id) : undefined;
    if (session) sessions.finish(chargerId, session.id, { stoppedAt, meterStopWh: report.meterStopWh, closedBy: null });
    else {
      sessions.add(chargerId, {
        id: sessionId, connectorId: null, idTag: report.idTag, userId: null, meterStartWh: null, startedAt: null, accepted: false,
        open: false, stoppedAt, meterStopWh: report.meterStopWh, closedBy: null, startStatus: 'Invalid',
      });
    }
    const facts: ChargingFact[] = [];
    const samples = toSamples(report.transactionData);
    if (samples.length) {
      facts.push({ kind: 'samples', chargerId, connectorId: session?.connectorId ?? 0, sessionId, receivedAt: receivedAt.toISOString(), samples });
    }
    facts.push({
      kind: 'stop', sessionId, orphan: !session, chargerId, meterStopWh: report.meterStopWh, stoppedAt: report.stoppedAt.toISOString(),
      receivedAt: receivedAt.toISOString(), reason: report.reason, idTag: report.idTag, flags,
      socPercent: summary?.socPercent ?? null, powerW: summary?.powerW ?? null,
    });
    await this.#store(chargerId, facts);
    return { sessionId, idTagInfo };
  }

  /**
   * Stores the samples (against the charger when they belong to no known session; a
   * reading after the stop still belongs to that session) and updates the running
   * session's live summary.
   */
  async meterValues(chargerId: ChargerId, report: MeterReport, receivedAt = new Date()): Promise<MeterAnswer> {
    await this.#ensureLoaded(chargerId);
    // Connector 0 without a transaction is the charger's own meter, not a session's.
    const session = report.connectorId === 0 && report.transactionId === null
      ? undefined
      : await this.#meteredSession(chargerId, report.transactionId, report.connectorId);
    const facts: ChargingFact[] = [];
    const samples = toSamples(report.meterValues);
    if (samples.length) {
      facts.push({
        kind: 'samples', chargerId, connectorId: report.connectorId ?? session?.connectorId ?? 0, sessionId: session?.id ?? null,
        receivedAt: receivedAt.toISOString(), samples,
      });
    }
    const reading: SessionReading | undefined = latestReading(report.meterValues);
    const update = session?.open && reading ? this.deps.summaries.record(session, reading) : undefined;
    if (update?.due) facts.push(update.due);
    if (facts.length) await this.#store(chargerId, facts);
    return { live: update?.fresh ? update.summary : undefined };
  }

  /**
   * Ends sessions the central system found cannot be running (see sweeper.ts),
   * unless their charger has stopped them meanwhile.
   */
  async close(targets: { chargerId: ChargerId; sessionId: number; flag: SessionCloseFlag }[], at = new Date()): Promise<void> {
    const facts: SessionClosed[] = [];
    for (const { chargerId, sessionId, flag } of targets) {
      const known = this.deps.sessions.find(chargerId, sessionId);
      if (known && !known.open) continue;
      if (known) facts.push(this.#close(chargerId, known, flag, at));
      else facts.push({ kind: 'close', sessionId, chargerId, closedAt: at.toISOString(), flag });
    }
    if (facts.length) await this.deps.sink.submit(facts);
  }

  #close(chargerId: ChargerId, session: KnownSession, flag: SessionCloseFlag, at: Date): SessionClosed {
    this.deps.summaries.take(session.id);
    this.deps.sessions.finish(chargerId, session.id, { stoppedAt: at.getTime(), meterStopWh: null, closedBy: flag });
    return { kind: 'close', sessionId: session.id, chargerId, closedAt: at.toISOString(), flag };
  }

  /**
   * The session a MeterValues means: its own id while that session runs; else the charger's
   * running session on that connector; else a finished session of its own (a late reading).
   */
  async #meteredSession(chargerId: ChargerId, transactionId: number | null, connectorId: ConnectorId | null): Promise<KnownSession | undefined> {
    const own = transactionId === null ? undefined : await this.#own(chargerId, transactionId);
    if (own?.open) return own;
    return this.deps.sessions.openOn(chargerId, connectorId !== null && connectorId > 0 ? connectorId : undefined) ?? own;
  }

  /** This charger's session with this id: from memory, or (an older one) from the database. */
  async #own(chargerId: ChargerId, sessionId: number): Promise<KnownSession | undefined> {
    const known = this.deps.sessions.find(chargerId, sessionId);
    // FlexiCharge chargers name transaction 1 in every message: asked once, not five times a second.
    if (known || this.deps.sessions.isForeign(chargerId, sessionId)) return known;
    try {
      const loaded = await loadChargerSession(this.deps.db, chargerId, sessionId);
      if (!loaded) this.deps.sessions.markForeign(chargerId, sessionId);
      else if (!this.deps.sessions.find(chargerId, sessionId)) this.deps.sessions.add(chargerId, loaded);
      return loaded;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      return undefined;
    }
  }

  async #requested(chargerId: ChargerId, connectorId: ConnectorId): Promise<RequestedSession | undefined> {
    try {
      const row = await this.deps.db
        .selectFrom('charging_sessions')
        .select(['id', 'id_tag', 'user_id'])
        .where('charger_id', '=', chargerId)
        .where('connector_id', '=', connectorId)
        .where('status', '=', 'Starting')
        .where('started_at', 'is', null)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && { id: row.id, idTag: row.id_tag, userId: row.user_id };
    } catch (error) {
      // Without the database the start becomes a session of its own, flagged like any other.
      if (!isDatabaseUnavailable(error)) throw error;
      return undefined;
    }
  }

  /** A stop with the start's tag (or any tag valid now) is Accepted; the stop happens either way. */
  async #stopTagInfo(report: StopReport, startTag: string | null): Promise<IdTagInfo> {
    if (!report.idTagUsable || !report.idTag) return { status: 'Invalid' };
    if (startTag && startTag.toUpperCase() === report.idTag.toUpperCase()) return { status: 'Accepted' };
    const { info } = await this.deps.authorizer.authorize(report.idTag);
    return info.status === 'ConcurrentTx' ? { ...info, status: 'Accepted' } : info;
  }

  async #ensureLoaded(chargerId: ChargerId): Promise<void> {
    if (!this.deps.sessions.has(chargerId)) await this.prepare(chargerId);
  }
}

const sameStop = (session: KnownSession, stoppedAt: number, meterStopWh: number | null) =>
  session.closedBy === null && session.stoppedAt === stoppedAt && session.meterStopWh === meterStopWh;
