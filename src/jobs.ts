import type { Logger } from 'pino';
import type { Db } from './db/connection.ts';
import { generateMonthlyInvoices } from './domain/invoices.ts';
import { expireReservations } from './domain/reservations.ts';
import { SessionSweeper } from './domain/sessions/sweeper.ts';
import type { TransactionRecorder } from './domain/sessions/transactionRecorder.ts';

const RESERVATION_SWEEP_MS = 30_000;
const SESSION_SWEEP_MAX_MS = 30_000;
const INVOICING_CHECK_MS = 3_600_000;

export interface JobDeps {
  db: Db;
  transactions: TransactionRecorder;
  /** Prices and settles a session the sweeper closed or found unpriced. */
  finalize: (sessionId: number) => Promise<void>;
  /** OCPP_ORPHAN_GRACE in ms. */
  orphanGraceMs: number;
  logger: Logger;
}

export interface Jobs {
  /** Stops the timers at once; resolves when a sweep under way has finished. */
  close(): Promise<void>;
}

/**
 * The business housekeeping that runs on timers: expired reservations released, sessions
 * that cannot be running closed (and unpriced ones priced), last month invoiced. Each
 * failure is logged and tried again at the next tick.
 */
export function startJobs({ db, transactions, finalize, orphanGraceMs, logger }: JobDeps): Jobs {
  const reservationSweep = setInterval(() => {
    expireReservations(db).catch((error: unknown) => logger.warn({ err: error }, 'could not expire reservations'));
  }, RESERVATION_SWEEP_MS);
  reservationSweep.unref();

  const sweeper = new SessionSweeper(db, transactions, finalize, orphanGraceMs, logger.child({ component: 'sweeper' }));
  let sweeping: Promise<void> | undefined;
  // Twice per grace period, so an orphan is closed at most half a grace late.
  const sessionSweepMs = Math.min(Math.max(orphanGraceMs / 2, 250), SESSION_SWEEP_MAX_MS);
  const sessionSweep = setInterval(() => {
    // One sweep at a time: a slow one is not overtaken by the next tick.
    sweeping ??= sweeper.sweep()
      .catch((error: unknown) => logger.warn({ err: error }, 'could not sweep sessions'))
      .finally(() => { sweeping = undefined; });
  }, sessionSweepMs);
  sessionSweep.unref();

  // Each hour, invoice last month (a no-op once done): the month's invoices appear early on the 1st.
  const invoicing = setInterval(() => {
    const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
    generateMonthlyInvoices(db, lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() + 1)
      .then((created) => created && logger.info({ created }, 'monthly invoices created'))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not create the monthly invoices'));
  }, INVOICING_CHECK_MS);
  invoicing.unref();

  return {
    close() {
      clearInterval(reservationSweep);
      clearInterval(sessionSweep);
      clearInterval(invoicing);
      return sweeping ?? Promise.resolve();
    },
  };
}
