import type { Logger } from 'pino';
import type { FactSink, SessionSummary } from '../chargingFacts.ts';
import type { SessionReading } from '../meterValues.ts';
import type { UserId } from '../units.ts';

/** What a running session has delivered so far, as the live views show it. */
export interface LiveSummary {
  sessionId: number;
  userId: UserId | null;
  energyWh: number;
  socPercent: number | null;
  powerW: number | null;
  sampledAt: Date;
}

interface Tracked extends LiveSummary {
  /** The register at the start; the first reading stands in when the charger gave none. */
  meterStartWh: number | null;
  writtenAt: number;
  dirty: boolean;
}

/** A reading applied to a session's summary. */
export interface SummaryUpdate {
  summary: LiveSummary;
  /** Newer than anything the session reported before: worth pushing to the live views (a resent reading is not). */
  fresh: boolean;
  /** The summary's last write is an interval old: store it with this reading. */
  due?: SessionSummary;
}

const toFact = (tracked: Tracked): SessionSummary => ({
  kind: 'summary', sessionId: tracked.sessionId, energyWh: tracked.energyWh, socPercent: tracked.socPercent, powerW: tracked.powerW,
});

/**
 * The latest summary of every running session, kept in memory (chargers report several
 * times a second) and stored at most once per interval per session: with a reading when
 * one is due, or by a sweep for sessions that went quiet. State for a session ends with it.
 */
export class SessionSummaries {
  readonly #sessions = new Map<number, Tracked>();
  readonly #sweep: NodeJS.Timeout;

  constructor(private readonly sink: FactSink, private readonly intervalMs: number, private readonly logger: Logger) {
    this.#sweep = setInterval(() => void this.#storeQuiet(), Math.max(intervalMs, 1000));
    this.#sweep.unref();
  }

  /** Applies a reading to a running session's summary. */
  record(session: { id: number; userId: UserId | null; meterStartWh: number | null }, reading: SessionReading): SummaryUpdate {
    let tracked = this.#sessions.get(session.id);
    const fresh = !tracked || reading.sampledAt > tracked.sampledAt;
    if (!tracked) {
      tracked = {
        sessionId: session.id, userId: session.userId, meterStartWh: session.meterStartWh ?? reading.registerWh ?? null,
        energyWh: 0, socPercent: null, powerW: null, sampledAt: reading.sampledAt, writtenAt: 0, dirty: false,
      };
      this.#sessions.set(session.id, tracked);
    }
    if (fresh) {
      if (reading.registerWh !== undefined && tracked.meterStartWh !== null) tracked.energyWh = Math.max(0, Math.round(reading.registerWh - tracked.meterStartWh));
      if (reading.powerW !== undefined) tracked.powerW = clampInt(reading.powerW, -2_147_483_648, 2_147_483_647);
      if (reading.socPercent !== undefined) tracked.socPercent = clampInt(reading.socPercent, 0, 100);
      tracked.sampledAt = reading.sampledAt;
      tracked.dirty = true;
    }
    const update: SummaryUpdate = { summary: view(tracked), fresh };
    if (tracked.dirty && Date.now() - tracked.writtenAt >= this.intervalMs) {
      tracked.writtenAt = Date.now();
      tracked.dirty = false;
      update.due = toFact(tracked);
    }
    return update;
  }

  /** The in-memory summary of a running session, if it has reported anything. */
  live(sessionId: number): LiveSummary | undefined {
    const tracked = this.#sessions.get(sessionId);
    return tracked && view(tracked);
  }

  /** The session ended: its last summary (for its record), and the session is forgotten. */
  take(sessionId: number): LiveSummary | undefined {
    const tracked = this.#sessions.get(sessionId);
    this.#sessions.delete(sessionId);
    return tracked && view(tracked);
  }

  /** Stores what these sessions' summaries hold that is not stored yet, and forgets them. */
  letGo(sessionIds: number[]): void {
    const due: Tracked[] = [];
    for (const sessionId of sessionIds) {
      const tracked = this.#sessions.get(sessionId);
      if (!tracked) continue;
      this.#sessions.delete(sessionId);
      if (tracked.dirty) due.push(tracked);
    }
    if (due.length) void this.#store(due);
  }

  get size(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    await this.#storeQuiet(true);
  }

  async #storeQuiet(all = false): Promise<void> {
    const now = Date.now();
    const due = [...this.#sessions.values()].filter((tracked) => tracked.dirty && (all || now - tracked.writtenAt >= this.intervalMs));
    if (due.length === 0) return;
    for (const tracked of due) tracked.writtenAt = now;
    await this.#store(due);
  }

  async #store(due: Tracked[]): Promise<void> {
    for (const tracked of due) tracked.dirty = false;
    await this.sink.submit(due.map(toFact)).catch((error: unknown) => this.logger.warn({ err: error, sessions: due.length }, 'could not store session summaries'));
  }
}

function view({ sessionId, userId, energyWh, socPercent, powerW, sampledAt }: Tracked): LiveSummary {
  return { sessionId, userId, energyWh, socPercent, powerW, sampledAt };
}

/** Charger readings can be anything; the summary columns are integers with bounds. */
function clampInt(value: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, value)));
}
