import { Meter, type MeterReading } from './meter.ts';

export interface Reservation {
  id: number | string;
  idTag: string;
  parentIdTag?: string;
}

export interface Session {
  idTag: string;
  /** Allocated by the central system in the StartTransaction result. */
  transactionId?: number;
  startedAt: Date;
  /** The meter at the start, for `chargedSoFar` and the `Transaction.Begin` sample. */
  start: MeterReading;
}

/** What `ChargerSimulator.connector()` shows of a connector. */
export interface ConnectorSnapshot {
  status: string;
  transactionId?: number;
  registerWh: number;
  /** The power the car draws now, whole W. */
  powerW: number;
  socPercent: number;
  reservationId?: number | string;
  reservedIdTag?: string;
}

/** setTimeout and setInterval fire at once for delays beyond this (about 24.8 days). */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** One connector: its last reported status, running session, reservation, meter and timers. */
export class Connector {
  /** The status last reported to the server (or about to be). */
  status = 'Available';
  session: Session | undefined;
  reservation: Reservation | undefined;
  /** A ChangeAvailability answered `Scheduled`, applied when the running session ends. */
  pendingAvailability: 'Available' | 'Unavailable' | undefined;
  readonly meter: Meter;
  private samplingTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    meter: Meter,
  ) {
    this.meter = meter;
  }

  reserve(reservation: Reservation, expiresAt?: Date, onExpiry?: () => void): void {
    this.clearReservation();
    this.reservation = reservation;
    if (expiresAt && onExpiry) {
      const delay = Math.min(Math.max(0, expiresAt.getTime() - Date.now()), LONGEST_TIMER_MS);
      this.expiryTimer = setTimeout(() => {
        this.reservation = undefined;
        onExpiry();
      }, delay);
    }
  }

  clearReservation(): void {
    clearTimeout(this.expiryTimer);
    this.reservation = undefined;
  }

  /** Calls `sample` every `intervalMs` (never for 0) until `stopSampling`. */
  startSampling(intervalMs: number, sample: () => void): void {
    this.stopSampling();
    if (intervalMs > 0) this.samplingTimer = setInterval(sample, intervalMs);
  }

  stopSampling(): void {
    clearInterval(this.samplingTimer);
    this.samplingTimer = undefined;
  }

  stopTimers(): void {
    this.stopSampling();
    clearTimeout(this.expiryTimer);
  }

  snapshot(): ConnectorSnapshot {
    const { registerWh, powerW, socPercent } = this.meter.read();
    return {
      status: this.status,
      registerWh,
      powerW,
      socPercent,
      ...(this.session?.transactionId !== undefined && { transactionId: this.session.transactionId }),
      ...(this.reservation && { reservationId: this.reservation.id, reservedIdTag: this.reservation.idTag }),
    };
  }
}
