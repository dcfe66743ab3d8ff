/** The session statuses `GET /sessions?status=` filters by. */
export const SESSION_STATUSES = ['Created', 'Starting', 'Charging', 'Stopping', 'Completed', 'Failed', 'Cancelled'] as const;

/** A session as `GET /sessions` lists it. */
export interface SessionSummary {
  id: number;
  chargerId: number | null;
  connectorId: number | null;
  userId: number | null;
  userEmail: string | null;
  idTag: string | null;
  status: string;
  paymentMethod: string;
  energyWh: number;
  powerW: number | null;
  priceOre: number | null;
  startedAt: string | null;
  stoppedAt: string | null;
  stopReason: string | null;
  createdAt: string;
}

export interface SessionPage {
  sessions: SessionSummary[];
  /** The `before` of the next (older) page; null at the oldest. */
  nextBefore: number | null;
}

export interface MeterValue {
  at: string;
  measurand: string;
  phase: string | null;
  value: number | null;
  unit: string | null;
}

export interface PriceLine {
  /** A fixed fee rather than an hour's energy. */
  kind?: 'fee';
  hour: string;
  energyWh: number;
  pricePerKwhOre: number;
  amountOre: number;
}

export interface PaymentEvent {
  at: string;
  operation: string;
  outcome: string;
  httpStatus: number | null;
  detail: string | null;
}

export interface Payment {
  id: number;
  provider: string;
  status: string;
  authorizedOre: number;
  capturedOre: number;
  refundedOre: number;
  createdAt: string;
  events: PaymentEvent[];
}

export type SessionFull = SessionSummary & {
  pricePerKwhOre: number;
  discountOre: number;
  meterStartWh: number | null;
  meterStopWh: number | null;
  socPercent: number | null;
  flags: string[];
};

/** `GET /sessions/:id`. */
export interface SessionDetailAnswer {
  session: SessionFull;
  /** Oldest first. */
  meterValues: MeterValue[];
  /** Null until the session is priced. */
  priceLines: PriceLine[] | null;
  payments: Payment[];
  /** The driver's plan to be charged by a time in the cheapest hours; null without one. */
  chargingPlan: ChargingPlan | null;
}

export interface PlanPeriod {
  startsAt: string;
  endsAt: string;
  currentA: number;
  energyWh: number;
  pricePerKwhOre: number;
}

export interface ChargingPlan {
  readyBy: string;
  energyWh: number;
  plannedEnergyWh: number;
  expectedCostOre: number;
  currency: string;
  periods: PlanPeriod[];
}

/** A session the charger may still report readings for. */
export const isRunning = (status: string) => status === 'Starting' || status === 'Charging' || status === 'Stopping';
