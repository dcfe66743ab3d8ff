import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.ts';
import type { DatabaseHandle, Db } from '../db/connection.ts';
import type { Accounts } from '../domain/accounts.ts';
import type { ChargingPlans } from '../domain/balancing/chargingPlans.ts';
import type { Bus } from '../domain/bus.ts';
import type { ChargerGateway } from '../domain/chargerGateway.ts';
import type { ConfigurationControl } from '../domain/configurationControl.ts';
import type { SessionControl } from '../domain/sessions/control.ts';
import type { SessionSettlement } from '../domain/sessions/settlement.ts';
import type { LiveSummarySource, SessionViews } from '../domain/sessions/views.ts';
import type { AccessTokens } from '../domain/tokens.ts';
import type { UserAdmin } from '../domain/userAdmin.ts';
import type { LocalListSync } from '../domain/localListSync.ts';
import type { IngestStatus } from '../ingest/pipeline.ts';
import type { FleetStream } from '../live/fleetStream.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Guards } from './auth.ts';
import type { NodeStatus } from './routes/health.ts';

/** What the route plugins need from the rest of the system. */
export interface HttpContext {
  config: Config;
  database: DatabaseHandle;
  db: Db;
  /** For changes other parts react to (a site to balance again). */
  bus: Bus;
  tokens: AccessTokens;
  guards: Guards;
  gateway: ChargerGateway;
  configuration: ConfigurationControl;
  sessions: SessionControl;
  sessionViews: SessionViews;
  /** The newest summary of a running session, from the node its charger is on. */
  liveSummary: LiveSummarySource;
  /** The fleet's live events for the operators' streams on this node. */
  fleetStream: FleetStream;
  settlement: SessionSettlement;
  /** The drivers' "ready by then" plans of their sessions. */
  chargingPlans: ChargingPlans;
  accounts: Accounts;
  userAdmin: UserAdmin;
  /** Sends card changes to the chargers' local authorization lists. */
  localLists: LocalListSync;
  /** Where charger data goes now, and what waits in the journal. */
  ingest(): IngestStatus;
  /** This node among the others. */
  node(): NodeStatus;
  /** This node's Prometheus metrics (GET /metrics), HTTP request durations among them. */
  metrics: Metrics;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;
