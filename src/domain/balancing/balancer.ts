import type { Logger } from 'pino';
import type { Db } from '../../db/connection.ts';
import type { AllocationStatus } from '../../db/schema.ts';
import type { Bus } from '../bus.ts';
import type { ChargerGateway, CommandResult } from '../chargerGateway.ts';
import { DomainError } from '../errors.ts';
import { takeJobLease } from '../jobLeases.ts';
import type { Amperes, ChargePointId, ChargerId } from '../units.ts';
import { allocate, type Allocation, type ConnectorDemand } from './allocation.ts';
import { balancingRequest, type LimitStep } from './balancingProfile.ts';
import { CarDemand, type GivenLimit } from './carDemand.ts';
import { balancedSites, readSiteState, siteOfCharger, type RunningConnector, type SiteState } from './siteState.ts';

export interface BalancerSettings {
  /** How often every node looks at every balanced site (takes over sites whose balancer died, applies offline grace). */
  tickMs: number;
  /** How long a node keeps a site's balancer once it took it (renewed with every run). */
  leaseMs: number;
  /** How long an offline charger's last limit stays counted: it may still be charging on it. */
  offlineGraceMs: number;
}

/** Limits closer than this are the same limit. */
const SAME_A = 0.05;
/** A limit a charger rejected is sent again after this long, and given up on (the charger counted at its maximum) after so many rejections. */
const RETRY_REJECTED_MS = 250;
const REJECTIONS_TO_GIVE_UP = 3;
/** The charger→site map is read again after this long (chargers rarely move). */
const SITE_CACHE_MS = 30_000;

const keyOf = (chargerId: ChargerId, connectorId: number) => `${chargerId}:${connectorId}`;

/** One limit to send, and where it stands. */
interface Change {
  connector: RunningConnector;
  allocation: Allocation;
  steps: LimitStep[];
  /** Lower than what the charger may draw now: sent (and accepted) before any raise. */
  lowers: boolean;
}

/**
 * Keeps every site with a capacity within it (see README "Load balancing"): on each event that
 * changes who draws what, the node that holds the site's job lease reads the site's running
 * connectors, shares the capacity (allocation.ts) and sends the limits that changed through the
 * gateway — lowered limits first, raised ones only once every lowering was accepted, so the
 * site stays within its limit while limits move. Every node hears every event; only the lease
 * holder acts, and a periodic tick lets another node take over within a lease when one dies.
 */
export class LoadBalancer {
  readonly #demand = new CarDemand();
  /** The limit each connector was last sent, on the sites this node balances (for the demand readings). */
  readonly #given = new Map<string, GivenLimit>();
  readonly #sites = new Map<ChargePointId, { running: Promise<void>; again: boolean }>();
  readonly #siteOf = new Map<ChargerId, { site: ChargePointId | null; at: number }>();
  /** Rejected limits of a connector's session, in a row. */
  readonly #rejections = new Map<string, { sessionId: number; count: number }>();

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly gateway: ChargerGateway,
    private readonly logger: Logger,
    private readonly settings: BalancerSettings,
  ) {}

  /** Listens and ticks; returns the way to stop. */
  start(): () => void {
    const byCharger = ({ chargerId }: { chargerId: ChargerId }) => void this.#requestForCharger(chargerId);
    const stops = [
      this.bus.subscribe('sessionStarted', byCharger),
      this.bus.subscribe('sessionStopped', byCharger),
      this.bus.subscribe('chargerDisconnected', byCharger),
      this.bus.subscribe('chargerBooted', (event, { local }) => {
        for (const key of this.#given.keys()) if (key.startsWith(`${event.chargerId}:`)) this.#given.delete(key);
        if (local) void this.#booted(event.chargerId).finally(() => byCharger(event));
      }),
      this.bus.subscribe('balanceSite', ({ chargePointId }) => {
        for (const [chargerId, entry] of this.#siteOf) if (entry.site === chargePointId) this.#siteOf.delete(chargerId);
        this.request(chargePointId);
      }),
      this.bus.subscribe('meterValues', ({ chargerId, connectorId, summary }) => {
        const key = keyOf(chargerId, connectorId);
        const given = this.#given.get(key);
        if (!given || given.sessionId !== summary.sessionId || summary.powerW === null) return;
        if (this.#demand.observe(key, given, summary.powerW)) void this.#requestForCharger(chargerId);
      }),
    ];
    const tick = setInterval(() => void this.#tick(), this.settings.tickMs);
    tick.unref();
    return () => {
      clearInterval(tick);
      for (const stop of stops) stop();
    };
  }

  /** Balances the site now (or again right after the run under way). */
  request(chargePointId: ChargePointId): void {
    const site = this.#sites.get(chargePointId);
    if (site) {
      site.again = true;
      return;
    }
    const entry = { running: Promise.resolve(), again: false };
    this.#sites.set(chargePointId, entry);
    entry.running = (async () => {
      do {
        entry.again = false;
        try {
          await this.#balance(chargePointId);
        } catch (error) {
          this.logger.warn({ err: error, chargePointId }, 'site not balanced');
        }
      } while (entry.again);
      this.#sites.delete(chargePointId);
    })();
  }

  /** Settles once no run is under way (for shutdown). */
  async idle(): Promise<void> {
    while (this.#sites.size > 0) await Promise.all([...this.#sites.values()].map((site) => site.running));
  }

  async #tick(): Promise<void> {
    try {
      for (const site of await balancedSites(this.db)) this.request(site);
    } catch (error) {
      this.logger.warn({ err: error }, 'balanced sites not read');
    }
  }

  async #requestForCharger(chargerId: ChargerId): Promise<void> {
    try {
      const cached = this.#siteOf.get(chargerId);
      let site = cached && Date.now() - cached.at < SITE_CACHE_MS ? cached.site : undefined;
      if (site === undefined) {
        site = await siteOfCharger(this.db, chargerId);
        this.#siteOf.set(chargerId, { site, at: Date.now() });
      }
      if (site !== null) this.request(site);
    } catch (error) {
      this.logger.warn({ err: error, chargerId }, 'charger\'s site not balanced');
    }
  }

  /**
   * A charger may forget its profiles when it restarts, so its limits are sent again; and one
   * that refused limits before (other firmware, other settings) is asked again.
   */
  async #booted(chargerId: ChargerId): Promise<void> {
    try {
      await this.db.updateTable('connector_allocations').set({ in_force_a: null, status: 'pending' }).where('charger_id', '=', chargerId).execute();
      await this.db.updateTable('chargers').set({ smart_charging: 'unknown' }).where('id', '=', chargerId).where('smart_charging', '=', 'unsupported').execute();
    } catch (error) {
      this.logger.warn({ err: error, chargerId }, 'limits of a rebooted charger not reset');
    }
  }

  async #balance(chargePointId: ChargePointId): Promise<void> {
    if (!(await takeJobLease(this.db, `balance:${chargePointId}`, this.bus.nodeId, this.settings.leaseMs))) return;
    const state = await readSiteState(this.db, chargePointId);
    if (!state) return;
    const now = new Date();
    const running = state.connectors.filter((c) => this.#counted(c, now));
    const keys = new Set(running.map((c) => keyOf(c.chargerId, c.connectorId)));
    this.#demand.keepOnly(keys);
    const allocations = allocate(state.limits ?? { currentA: null, powerW: null }, running.map((c) => this.#demandOf(c)));
    const changes: Change[] = [];
    running.forEach((connector, i) => {
      const allocation = allocations[i]!;
      if (!connector.limitable || !connector.online) return;
      const drawing = connector.inForceA ?? connector.maxCurrentA;
      const settled = connector.inForceA !== null && Math.abs(connector.inForceA - allocation.currentA) < SAME_A && connector.status === 'accepted';
      const unneeded = connector.inForceA === null && allocation.currentA >= connector.maxCurrentA - SAME_A;
      if (settled || unneeded) return;
      changes.push({ connector, allocation, steps: [{ startsAt: now, currentA: allocation.currentA }], lowers: allocation.currentA < drawing - SAME_A });
    });
    await this.#store(state, running, allocations, now);
    const lowering = changes.filter((c) => c.lowers);
    const lowered = await Promise.all(lowering.map((change) => this.#send(chargePointId, change, now)));
    const raising = changes.filter((c) => !c.lowers);
    if (lowered.every(Boolean)) await Promise.all(raising.map((change) => this.#send(chargePointId, change, now)));
    // A raise left for later: the next run (the tick at the latest) sends it once the lowering went through.
    else await this.#mark(raising, 'pending', 'waiting for lower limits elsewhere on the site to be accepted');
    this.bus.publish('siteBalanced', { chargePointId, nodeId: this.bus.nodeId, at: new Date(), changed: changes.length });
  }

  /** Whether a running connector's draw counts: an offline charger's only for the grace period. */
  #counted(connector: RunningConnector, now: Date): boolean {
    return connector.online || connector.offlineSince === null || now.getTime() - connector.offlineSince.getTime() < this.settings.offlineGraceMs;
  }

  #demandOf(connector: RunningConnector): ConnectorDemand {
    const key = keyOf(connector.chargerId, connector.connectorId);
    const base = { key, phases: connector.phases, weight: connector.priority, since: connector.startedAt.getTime() };
    if (!connector.online) return { ...base, capA: 0, capReason: 'charger', fixed: { currentA: connector.inForceA ?? connector.maxCurrentA, reason: 'offline' } };
    if (!connector.limitable) return { ...base, capA: 0, capReason: 'charger', fixed: { currentA: connector.maxCurrentA, reason: 'unsupported' } };
    const demandCap = this.#demand.capOf(key, connector.sessionId);
    return demandCap !== undefined && demandCap < connector.maxCurrentA
      ? { ...base, capA: demandCap, capReason: 'demand' }
      : { ...base, capA: connector.maxCurrentA, capReason: 'charger' };
  }

  /** Records what each running connector is given (and forgets connectors no longer running), before anything is sent. */
  async #store(state: SiteState, running: readonly RunningConnector[], allocations: readonly Allocation[], now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('connector_allocations').where('charge_point_id', '=', state.chargePointId)
        .where((eb) => eb.not(eb.or(running.map((c) => eb.and([eb('charger_id', '=', c.chargerId), eb('connector_id', '=', c.connectorId)])))))
        .execute();
      for (const [i, connector] of running.entries()) {
        const allocation = allocations[i]!;
        const values = {
          charge_point_id: state.chargePointId, session_id: connector.sessionId, current_a: allocation.currentA, phases: connector.phases.length as 1 | 3,
          limited_by: allocation.reason, computed_at: now,
        };
        const status: AllocationStatus = !connector.limitable ? 'unsupported' : connector.status ?? 'pending';
        await trx.insertInto('connector_allocations')
          .values({ charger_id: connector.chargerId, connector_id: connector.connectorId, ...values, in_force_a: connector.inForceA, status })
          .onConflict((oc) => oc.columns(['charger_id', 'connector_id']).doUpdateSet({ ...values, in_force_a: connector.inForceA, status }))
          .execute();
      }
    });
  }

  /** Sends one limit; true once the charger accepted it. */
  async #send(chargePointId: ChargePointId, change: Change, now: Date): Promise<boolean> {
    const { connector, allocation, steps } = change;
    const request = balancingRequest(connector.profilePurpose, connector.connectorId, connector.sessionId, connector.phases.length, steps, now);
    const result = await this.gateway.command(connector.chargerId, 'SetChargingProfile', request, { subsystem: 'balancing' });
    const key = keyOf(connector.chargerId, connector.connectorId);
    if (result.answered && result.response.status === 'Accepted') {
      this.#rejections.delete(key);
      this.#given.set(key, { sessionId: connector.sessionId, currentA: allocation.currentA, phases: connector.phases.length, sentAt: Date.now() });
      await this.#record(connector, 'accepted', null, allocation.currentA);
      if (connector.status === null) await this.#supportShown(connector.chargerId, 'supported');
      return true;
    }
    const error = result.answered ? `the charger answered ${result.response.status}` : describe(result.error);
    const rejections = (this.#rejections.get(key)?.sessionId === connector.sessionId ? this.#rejections.get(key)!.count : 0) + 1;
    if (unsupported(result) || (result.answered && rejections >= REJECTIONS_TO_GIVE_UP)) {
      // It will not take limits: counted at its maximum from now on (until it boots again), which the next run shares out.
      this.#rejections.delete(key);
      await this.#supportShown(connector.chargerId, 'unsupported');
      await this.#record(connector, 'rejected', error, connector.inForceA);
      this.request(chargePointId);
    } else if (result.answered) {
      // A charger may take a TxProfile for a transaction only once it has processed the StartTransaction answer: asked again shortly.
      this.#rejections.set(key, { sessionId: connector.sessionId, count: rejections });
      await this.#record(connector, 'rejected', error, connector.inForceA);
      setTimeout(() => this.request(chargePointId), RETRY_REJECTED_MS).unref();
    } else {
      await this.#record(connector, 'failed', error, connector.inForceA);
    }
    return false;
  }

  async #record(connector: RunningConnector, status: AllocationStatus, error: string | null, inForceA: Amperes | null): Promise<void> {
    await this.db.updateTable('connector_allocations')
      .set({ status, error, in_force_a: inForceA, ...(status === 'accepted' && { accepted_at: new Date() }) })
      .where('charger_id', '=', connector.chargerId).where('connector_id', '=', connector.connectorId).where('session_id', '=', connector.sessionId)
      .execute();
  }

  async #mark(changes: readonly Change[], status: AllocationStatus, error: string): Promise<void> {
    for (const { connector } of changes) await this.#record(connector, status, error, connector.inForceA);
  }

  async #supportShown(chargerId: ChargerId, support: 'supported' | 'unsupported'): Promise<void> {
    await this.db.updateTable('chargers').set({ smart_charging: support }).where('id', '=', chargerId).execute();
  }
}

/** The charger said it has no smart charging: a NotSupported answer, or a CALLERROR NotSupported / NotImplemented. */
function unsupported(result: CommandResult<'SetChargingProfile'>): boolean {
  if (result.answered) return result.response.status === 'NotSupported';
  return result.error instanceof DomainError && result.error.kind === 'badGateway' && result.error.codes.some((code) => code === 'NotSupported' || code === 'NotImplemented');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
