import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../../db/connection.ts';
import { literalList } from '../../db/literals.ts';
import type { ChargerStatus } from '../../db/schema.ts';
import type { SessionCloseFlag } from '../chargingFacts.ts';
import type { TransactionRecorder } from './transactionRecorder.ts';
import type { ChargerId } from '../units.ts';
import { RUNNING_SESSION_STATUSES, sessionLifecycle } from './status.ts';

/** Completed sessions still without a price this long after they ended were missed by their stop's pricing. */
const UNPRICED_AFTER = '10 seconds';
const BATCH = 200;
/** Sessions a sweep may close: their charger began them and has not stopped them. */
const RUNNING = literalList(RUNNING_SESSION_STATUSES);
/** A session whose card the charger refused, which the charger should stop by itself. */
const REFUSED = sql.lit(sessionLifecycle.to('chargerStartRefused'));
/** A connector in these runs no transaction (Preparing: a new plug-in). */
const IDLE_CONNECTOR = literalList(['Available', 'Preparing'] satisfies ChargerStatus[]);

/**
 * Housekeeping so that no session stays open that cannot be running, and none stays
 * unpriced. A session is closed when its connector has reported Available (or Preparing,
 * a new plug-in) for `graceMs` after the session began, or when a refused start was not
 * stopped by its charger within `graceMs` (a charger may drop such a transaction without
 * a StopTransaction). The grace leaves room for chargers that report Available just
 * before their StopTransaction, and for stops still queued in a charger that reconnects.
 * Among several nodes each sweeps the sessions of the chargers it holds (their state is
 * in its memory), and the housekeeper those of chargers no node holds, and the pricing.
 * Closing and pricing happen once, whoever gets there first.
 */
export class SessionSweeper {
  constructor(
    private readonly db: Db,
    private readonly transactions: TransactionRecorder,
    private readonly price: (sessionId: number) => Promise<void>,
    private readonly graceMs: number,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {}

  async sweep(housekeeper: boolean): Promise<void> {
    const orphans = await this.#orphans(housekeeper);
    if (orphans.length) {
      this.logger.info({ sessions: orphans.map((orphan) => orphan.sessionId) }, 'closing sessions that cannot be running');
      await this.transactions.close(orphans.map(({ chargerId, sessionId, flag }) => ({ chargerId, sessionId, flag })));
    }
    if (!housekeeper) return;
    const unpriced = await this.db.selectFrom('charging_sessions').select('id')
      .where('status', '=', 'Completed').where('price_ore', 'is', null)
      .where('updated_at', '<', sql<Date>`now() - ${UNPRICED_AFTER}::interval`)
      .orderBy('id').limit(BATCH).execute();
    for (const { id } of unpriced) await this.price(id);
  }

  async #orphans(housekeeper: boolean): Promise<{ chargerId: ChargerId; sessionId: number; flag: SessionCloseFlag }[]> {
    const grace = `${Math.round(this.graceMs)} milliseconds`;
    const { rows } = await sql<{ id: number; charger_id: number; flag: SessionCloseFlag }>`
      select s.id, s.charger_id, case when s.status = ${REFUSED} then 'closedAfterRefusedStart' else 'closedByConnectorStatus' end as flag
      from charging_sessions s
      join chargers ch on ch.id = s.charger_id
      left join connectors c on c.charger_id = s.charger_id and c.connector_id = s.connector_id
      where s.status in ${RUNNING} and s.started_at is not null
        and (ch.node_id = ${this.nodeId} or (${sql.lit(housekeeper)} and not ch.online)) and (
        (s.status = ${REFUSED} and s.updated_at < now() - ${grace}::interval)
        or (c.status in ${IDLE_CONNECTOR} and c.received_at < now() - ${grace}::interval
            and c.received_at > coalesce(s.start_received_at, s.created_at)))
      order by s.id limit ${BATCH}`.execute(this.db);
    return rows.map((row) => ({ chargerId: row.charger_id, sessionId: row.id, flag: row.flag }));
  }
}
