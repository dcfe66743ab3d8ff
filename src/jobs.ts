import type { Logger } from 'pino';
import type { Db } from './db/connection.ts';
import { generateMonthlyInvoices } from './domain/invoices.ts';
import { expireReservations } from './domain/reservations.ts';
import { SessionSweeper } from './domain/sessions/sweeper.ts';
import type { TransactionRecorder } from './domain/sessions/transactionRecorder.ts';

const RESERVATION_SWEEP_MS = 30_000;
const SESSION_SWEEP_MAX_MS = 30_000;
const INVOICING_CHECK_MS = 3_600_000;
/** The first invoicing check comes soon after a start, so a node started on the 1st does not wait an hour. */
const FIRST_INVOICING_CHECK_MS = 10_000;

export interface JobDeps {
  db: Db;
  transactions: TransactionRecorder;
  /** Prices and settles a session the sweeper closed or found unpriced. */
  finalize: (sessionId: number) => Promise<void>;
  /** OCPP_ORPHAN_GRACE in ms. */
  orphanGraceMs: number;
  nodeId: string;
  /** Whether this node does the work that must happen once among the nodes (always, on a single node). */
  housekeeper: () => boolean;
  logger: Logger;
}

export interface Jobs {
  /** Stops the timers at once; resolves when a sweep under way has finished. */
  close(): Promise<void>;
}

/**
 * The business housekeeping that runs on timers: expired reservations released, sessions
 * that cannot be running closed (and unpriced ones priced), last month invoiced. Among
 * several nodes only the housekeeper expires, prices and invoices; each node sweeps its
 * own chargers' sessions. Each failure is logged and tried again at the next tick.
 */
export function startJobs({ db, transactions, finalize, orphanGraceMs, nodeId, housekeeper, logger }: JobDeps): Jobs {
  const reservationSweep = setInterval(() => {
    if (!housekeeper()) return;
    expireReservations(db).catch((error: unknown) => logger.warn({ err: error }, 'could not expire reservations'));
  }, RESERVATION_SWEEP_MS);
  reservationSweep.unref();

  const sweeper = new SessionSweeper(db, transactions, finalize, orphanGraceMs, nodeId, logger.child({ component: 'sweeper' }));
  let sweeping: Promise<void> | undefined;
  // Twice per grace period, so an orphan is closed at most half a grace late.
  const sessionSweepMs = Math.min(Math.max(orphanGraceMs / 2, 250), SESSION_SWEEP_MAX_MS);
  const sessionSweep = setInterval(() => {
    // One sweep at a time: a slow one is not overtaken by the next tick.
    sweeping ??= sweeper.sweep(housekeeper())
      .catch((error: unknown) => logger.warn({ err: error }, 'could not sweep sessions'))
      .finally(() => { sweeping = undefined; });
  }, sessionSweepMs);
  sessionSweep.unref();

  // Every hour, invoice last month (a no-op once done): the month's invoices appear early on the 1st.
  const invoice = () => {
    if (!housekeeper()) return;
    const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
    generateMonthlyInvoices(db, lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() + 1)
      .then((created) => created && logger.info({ created, month: lastMonth.toISOString().slice(0, 7) }, 'monthly invoices created'))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not create the monthly invoices'));
  };
  const firstInvoicing = setTimeout(invoice, FIRST_INVOICING_CHECK_MS);
  firstInvoicing.unref();
  const invoicing = setInterval(invoice, INVOICING_CHECK_MS);
  invoicing.unref();

  return {
    close() {
      clearInterval(reservationSweep);
      clearInterval(sessionSweep);
      clearTimeout(firstInvoicing);
      clearInterval(invoicing);
      return sweeping ?? Promise.resolve();
    },
  };
}
