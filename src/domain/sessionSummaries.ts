import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { SessionReading } from './meterValues.ts';
import type { UserId } from './units.ts';

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
  meterStartWh: number | null;
  writtenAt: number;
  dirty: boolean;
}

/**
 * The latest summary of every running session, kept in memory and written to the
 * database at most once per interval per session (chargers report several times a
 * second), on a sweep, and always when the session stops. State for a session ends with it.
 */
export class SessionSummaries {
  readonly #sessions = new Map<number, Tracked>();
  readonly #sweep: NodeJS.Timeout;

  constructor(private readonly db: Db, private readonly intervalMs: number, private readonly logger: Logger) {
    this.#sweep = setInterval(() => void this.#writeDue(), Math.max(intervalMs, 1000));
    this.#sweep.unref();
  }

  /** Applies a reading to a session; writes it now when the last write is an interval old. */
  async record(session: { id: number; user_id: UserId | null; meter_start_wh: number | null }, reading: SessionReading): Promise<LiveSummary> {
    let tracked = this.#sessions.get(session.id);
    if (!tracked) {
      tracked = { sessionId: session.id, userId: session.user_id, meterStartWh: session.meter_start_wh, energyWh: 0, socPercent: null, powerW: null, sampledAt: reading.sampledAt, writtenAt: 0, dirty: false };
      this.#sessions.set(session.id, tracked);
    }
    if (reading.registerWh !== undefined && tracked.meterStartWh !== null) tracked.energyWh = Math.max(0, Math.round(reading.registerWh - tracked.meterStartWh));
    if (reading.powerW !== undefined) tracked.powerW = Math.round(reading.powerW);
    if (reading.socPercent !== undefined) tracked.socPercent = Math.round(Math.min(100, Math.max(0, reading.socPercent)));
    tracked.sampledAt = reading.sampledAt;
    tracked.dirty = true;
    if (Date.now() - tracked.writtenAt >= this.intervalMs) await this.#write(tracked);
    return { ...tracked };
  }

  /** The in-memory summary of a running session, if it has reported anything. */
  live(sessionId: number): LiveSummary | undefined {
    const tracked = this.#sessions.get(sessionId);
    return tracked && { ...tracked };
  }

  /**
   * The session stopped: its last charge level is written (its energy comes from the
   * stop's meter reading) and it is forgotten.
   */
  async finish(sessionId: number): Promise<void> {
    const tracked = this.#sessions.get(sessionId);
    this.#sessions.delete(sessionId);
    if (!tracked) return;
    await this.db
      .updateTable('charging_sessions')
      .set({ power_w: tracked.powerW, state_of_charge_percent: tracked.socPercent })
      .where('id', '=', sessionId)
      .execute();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    await this.#writeDue(true);
  }

  async #writeDue(all = false): Promise<void> {
    const now = Date.now();
    for (const tracked of this.#sessions.values()) {
      if (tracked.dirty && (all || now - tracked.writtenAt >= this.intervalMs)) {
        await this.#write(tracked).catch((error: unknown) => this.logger.warn({ err: error, sessionId: tracked.sessionId }, 'could not store the session summary'));
      }
    }
  }

  async #write(tracked: Tracked): Promise<void> {
    tracked.writtenAt = Date.now();
    tracked.dirty = false;
    await this.db
      .updateTable('charging_sessions')
      .set({ energy_wh: tracked.energyWh, power_w: tracked.powerW, state_of_charge_percent: tracked.socPercent, updated_at: new Date() })
      .where('id', '=', tracked.sessionId)
      .where('status', 'in', ['Charging', 'Stopping'])
      .execute();
  }
}
