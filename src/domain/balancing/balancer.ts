import type { Logger } from 'pino';
import type { Db } from '../../db/connection.ts';
import type { PlanPeriod } from '../../db/schema.ts';
import type { Bus } from '../bus.ts';
import type { ChargerGateway, CommandResult } from '../chargerGateway.ts';
import { DomainError } from '../errors.ts';
import { takeJobLease } from '../jobLeases.ts';
import type { Amperes, ChargePointId, ChargerId } from '../units.ts';
import { allocate, type Allocation, type ConnectorDemand } from './allocation.ts';
import { forgetLimitsInForce, recordOutcomes, storeAllocations, type Outcome } from './allocationStore.ts';
import { balancingRequest, type LimitStep } from './balancingProfile.ts';
import { CarDemand, type GivenLimit } from './carDemand.ts';
import { nextPlanChange } from './chargingPlan.ts';
import { plansOf } from './chargingPlans.ts';
import { PLAN_LOOKAHEAD_MS, planCap, planSteps, scheduleText } from './planSchedule.ts';
import { balancedSites, readSiteState, siteOfCharger, type RunningConnector } from './siteState.ts';

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
  /** The sites with a limit or with limits given (as of the last tick): events of other sites cost nothing. */
  #balanced = new Set<ChargePointId>();
  #stopped = false;
  readonly #siteOf = new Map<ChargerId, { site: ChargePointId | null; at: number }>();
  /** The schedule each planned connector was last sent (its periods, as text), so a changed plan is sent again. */
  readonly #sentSchedules = new Map<string, string>();
  /** The next run a site needs for its plans (a planned rise or drop), on the node balancing it. */
  readonly #planTimers = new Map<ChargePointId, NodeJS.Timeout>();
  /** Connectors whose charger did not answer its last limit, being sent it again in the background. */
  readonly #retrying = new Map<string, Promise<void>>();
  /** Pending #later timers, with what they do when cut short. */
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
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
      this.bus.subscribe('sessionStopped', (event) => {
        this.#demand.forgetSession(event.sessionId);
        byCharger(event);
      }),
      this.bus.subscribe('chargerDisconnected', byCharger),
      this.bus.subscribe('chargerBooted', ({ chargerId, facts }, { local }) => {
        for (const key of this.#given.keys()) if (key.startsWith(`${chargerId}:`)) this.#given.delete(key);
        if (local && facts.limitsGiven) void this.#booted(chargerId);
      }),
      this.bus.subscribe('balanceSite', ({ chargePointId }) => {
        for (const [chargerId, entry] of this.#siteOf) if (entry.site === chargePointId) this.#siteOf.delete(chargerId);
        this.#balanced.add(chargePointId);
        this.request(chargePointId);
      }),
      this.bus.subscribe('meterValues', ({ chargerId, connectorId, summary }) => {
        const key = keyOf(chargerId, connectorId);
        const given = this.#given.get(key);
        if (!given || given.sessionId !== summary.sessionId || summary.powerW === null) return;
        if (this.#demand.observe(key, given, summary.powerW)) void this.#requestForCharger(chargerId);
      }),
    ];
    void this.#tick();
    const tick = setInterval(() => void this.#tick(), this.settings.tickMs);
    tick.unref();
    return () => {
      this.#stopped = true;
      clearInterval(tick);
      for (const [timer, then] of this.#timers) {
        clearTimeout(timer);
        then();
      }
      this.#timers.clear();
      for (const timer of this.#planTimers.values()) clearTimeout(timer);
      for (const stop of stops) stop();
    };
  }

  /** Balances the site now (or again right after the run under way). */
  request(chargePointId: ChargePointId): void {
    if (this.#stopped) return;
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
    while (this.#sites.size > 0 || this.#retrying.size > 0) {
      await Promise.all([...[...this.#sites.values()].map((site) => site.running), ...this.#retrying.values()]);
    }
  }

  async #tick(): Promise<void> {
    try {
      this.#balanced = new Set(await balancedSites(this.db));
      for (const site of this.#balanced) this.request(site);
    } catch (error) {
      this.logger.warn({ err: error }, 'balanced sites not read');
    }
  }

  async #requestForCharger(chargerId: ChargerId): Promise<void> {
    // No site has a limit: a fleet that does not balance pays nothing on its session events.
    if (this.#balanced.size === 0) return;
    try {
      const cached = this.#siteOf.get(chargerId);
      let site = cached && Date.now() - cached.at < SITE_CACHE_MS ? cached.site : undefined;
      if (site === undefined) {
        site = await siteOfCharger(this.db, chargerId);
        this.#siteOf.set(chargerId, { site, at: Date.now() });
      }
      if (site !== null && this.#balanced.has(site)) this.request(site);
    } catch (error) {
      this.logger.warn({ err: error, chargerId }, 'charger\'s site not balanced');
    }
  }

  /**
   * A charger the balancer gave limits may have forgotten them in its restart: they are no
   * longer counted as in force, and its site is balanced again by whichever node holds it.
   */
  async #booted(chargerId: ChargerId): Promise<void> {
    try {
      await forgetLimitsInForce(this.db, chargerId);
      const chargePointId = await siteOfCharger(this.db, chargerId);
      if (chargePointId !== null) this.bus.publish('balanceSite', { chargePointId });
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
    const plans = await plansOf(this.db, running.map((c) => c.sessionId));
    const planOf = (c: RunningConnector) => {
      const periods = plans.get(c.sessionId);
      // Once its last period is over the plan no longer holds the car back.
      return periods && periods.length > 0 && Date.parse(periods.at(-1)!.endsAt) > now.getTime() ? periods : undefined;
    };
    const allocations = allocate(state.limits ?? { currentA: null, powerW: null }, running.map((c) => this.#demandOf(c, planOf(c), now)));
    const changes: Change[] = [];
    const retries: Change[] = [];
    running.forEach((connector, i) => {
      const allocation = allocations[i]!;
      if (!connector.limitable || !connector.online) return;
      const key = keyOf(connector.chargerId, connector.connectorId);
      if (allocation.reason === 'unanswered') {
        // Sent what it is counted at, off the run's path: one silent charger must not hold its whole site up for a call timeout.
        if (!this.#retrying.has(key)) retries.push({ connector, allocation, steps: [{ startsAt: now, currentA: allocation.currentA }], lowers: false });
        return;
      }
      const periods = planOf(connector);
      const steps = periods ? planSteps(periods, allocation.currentA, connector.maxCurrentA, now) : [{ startsAt: now, currentA: allocation.currentA }];
      const nowA = steps[0]!.currentA;
      const drawing = connector.inForceA ?? connector.maxCurrentA;
      const settled = connector.inForceA !== null && Math.abs(connector.inForceA - nowA) < SAME_A && connector.status === 'accepted'
        && (!periods || this.#sentSchedules.get(key) === scheduleText(steps.slice(1)));
      const unneeded = !periods && connector.inForceA === null && nowA >= connector.maxCurrentA - SAME_A;
      if (settled || unneeded) return;
      changes.push({ connector, allocation: { ...allocation, currentA: nowA }, steps, lowers: nowA < drawing - SAME_A });
    });
    this.#planNextRun(chargePointId, running.flatMap((c) => planOf(c) ?? []), now);
    const sending = new Map(changes.map((c) => [c.connector, c]));
    await storeAllocations(this.db, state.chargePointId, running, allocations, (connector) => {
      const change = sending.get(connector);
      if (!connector.limitable) return { inForceA: connector.inForceA, status: 'unsupported' };
      if (!change) return { inForceA: connector.inForceA, status: connector.status ?? 'pending' };
      return { inForceA: change.lowers ? connector.inForceA : mayDraw(connector, change.allocation.currentA), status: 'pending' };
    }, now);
    for (const retry of retries) this.#retry(chargePointId, retry, now);
    const lowering = changes.filter((c) => c.lowers);
    const raising = changes.filter((c) => !c.lowers);
    if (await this.#sendAll(chargePointId, lowering, now)) await this.#sendAll(chargePointId, raising, now);
    // A raise left for later: the next run (the tick at the latest) sends it once the lowering went through.
    else await recordOutcomes(this.db, raising.map(({ connector }) => ({ connector, status: 'pending', error: 'waiting for lower limits elsewhere on the site to be accepted', inForceA: connector.inForceA })));
    this.bus.publish('siteBalanced', { chargePointId, nodeId: this.bus.nodeId, at: new Date(), changed: changes.length });
  }

  /**
   * Sends an unanswered connector its limit again; once it answers, the site is balanced anew.
   * One that fails again (no answer, or gone) is tried again an interval later, not at once.
   */
  #retry(chargePointId: ChargePointId, change: Change, now: Date): void {
    const key = keyOf(change.connector.chargerId, change.connector.connectorId);
    const sent = (async () => {
      let accepted = false;
      try {
        accepted = await this.#sendAll(chargePointId, [change], now);
      } catch (error) {
        this.logger.warn({ err: error, chargePointId }, 'limit not sent again');
      }
      if (!accepted) await new Promise<void>((resolve) => this.#later(resolve, this.settings.tickMs));
      this.#retrying.delete(key);
      this.request(chargePointId);
    })();
    this.#retrying.set(key, sent);
  }

  /** A timer that stopping the balancer cuts short (so shutdown does not wait for it). */
  #later(then: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      then();
    }, ms);
    timer.unref();
    this.#timers.set(timer, then);
  }

  /** Whether a running connector's draw counts: an offline charger's only for the grace period. */
  #counted(connector: RunningConnector, now: Date): boolean {
    return connector.online || connector.offlineSince === null || now.getTime() - connector.offlineSince.getTime() < this.settings.offlineGraceMs;
  }

  #demandOf(connector: RunningConnector, plan: readonly PlanPeriod[] | undefined, now: Date): ConnectorDemand {
    const key = keyOf(connector.chargerId, connector.connectorId);
    const base = { key, phases: connector.phases, weight: connector.priority, since: connector.startedAt.getTime() };
    if (!connector.online) return { ...base, capA: 0, capReason: 'charger', fixed: { currentA: connector.inForceA ?? connector.maxCurrentA, reason: 'offline' } };
    if (!connector.limitable) return { ...base, capA: 0, capReason: 'charger', fixed: { currentA: connector.maxCurrentA, reason: 'unsupported' } };
    if (connector.status === 'failed' || this.#retrying.has(key)) {
      return { ...base, capA: 0, capReason: 'charger', fixed: { currentA: connector.inForceA ?? connector.maxCurrentA, reason: 'unanswered' } };
    }
    let demand: Pick<ConnectorDemand, 'capA' | 'capReason'> = { capA: connector.maxCurrentA, capReason: 'charger' };
    const demandCap = this.#demand.capOf(key, connector.sessionId);
    if (demandCap !== undefined && demandCap < demand.capA) demand = { capA: demandCap, capReason: 'demand' };
    if (plan) {
      // What the plan asks for now or a little ahead: a rise gets its capacity before the charger's schedule takes it.
      const planA = planCap(plan, now);
      if (planA < demand.capA) demand = { capA: planA, capReason: 'plan' };
    }
    return { ...base, ...demand };
  }

  /** Balances the site again when its plans next change (ahead of a rise, at a drop), on this node. */
  #planNextRun(chargePointId: ChargePointId, periods: readonly PlanPeriod[], now: Date): void {
    clearTimeout(this.#planTimers.get(chargePointId));
    this.#planTimers.delete(chargePointId);
    const change = nextPlanChange(periods, now);
    if (!change) return;
    const ahead = change.getTime() - PLAN_LOOKAHEAD_MS;
    const at = ahead > now.getTime() ? ahead : change.getTime();
    const timer = setTimeout(() => {
      this.#planTimers.delete(chargePointId);
      this.request(chargePointId);
    }, Math.min(at - now.getTime() + 1, 2 ** 31 - 1));
    timer.unref();
    this.#planTimers.set(chargePointId, timer);
  }

  /** Sends limits at once and records how each went, in one statement whatever their number; true when all were accepted. */
  async #sendAll(chargePointId: ChargePointId, changes: readonly Change[], now: Date): Promise<boolean> {
    if (changes.length === 0) return true;
    const outcomes = await Promise.all(changes.map((change) => this.#send(chargePointId, change, now)));
    await recordOutcomes(this.db, outcomes);
    return outcomes.every((o) => o.status === 'accepted');
  }

  /** Sends one limit and says how it went. */
  async #send(chargePointId: ChargePointId, change: Change, now: Date): Promise<Outcome> {
    const { connector, allocation, steps } = change;
    const request = balancingRequest(connector.profilePurpose, connector.connectorId, connector.sessionId, connector.phases.length, steps, now);
    const result = await this.gateway.command(connector.chargerId, 'SetChargingProfile', request, { subsystem: 'balancing' });
    const key = keyOf(connector.chargerId, connector.connectorId);
    if (result.answered && result.response.status === 'Accepted') {
      this.#rejections.delete(key);
      this.#sentSchedules.set(key, scheduleText(steps.slice(1)));
      this.#given.set(key, { sessionId: connector.sessionId, currentA: allocation.currentA, phases: connector.phases.length, sentAt: Date.now() });
      return { connector, status: 'accepted', error: null, inForceA: allocation.currentA, support: 'supported' };
    }
    const error = result.answered ? `the charger answered ${result.response.status}` : describe(result.error);
    const rejections = (this.#rejections.get(key)?.sessionId === connector.sessionId ? this.#rejections.get(key)!.count : 0) + 1;
    // A raise that got no answer may still have been taken: counted as taken.
    const failed = { connector, error, inForceA: change.lowers ? connector.inForceA : mayDraw(connector, allocation.currentA) };
    if (unsupported(result) || (result.answered && rejections >= REJECTIONS_TO_GIVE_UP)) {
      // It will not take limits: counted at its maximum from now on (until it boots again), which the next run shares out.
      this.#rejections.delete(key);
      this.request(chargePointId);
      return { ...failed, status: 'rejected', support: 'unsupported' };
    }
    if (result.answered) {
      // A charger may take a TxProfile for a transaction only once it has processed the StartTransaction answer: asked again shortly.
      this.#rejections.set(key, { sessionId: connector.sessionId, count: rejections });
      setTimeout(() => this.request(chargePointId), RETRY_REJECTED_MS).unref();
      return { ...failed, status: 'rejected' };
    }
    return { ...failed, status: 'failed' };
  }
}



/**
 * The most a connector may draw, for the books: a raise counts from before it is sent (were
 * the node to die before the answer, the next balancer still counts it), a lowering only once
 * it was accepted. Null: no limit of ours, its maximum.
 */
function mayDraw(connector: RunningConnector, raisedTo: Amperes | undefined): Amperes | null {
  if (raisedTo === undefined || connector.inForceA === null) return connector.inForceA;
  return Math.max(connector.inForceA, raisedTo);
}

/** The charger said it has no smart charging: a NotSupported answer, or a CALLERROR NotSupported / NotImplemented. */
function unsupported(result: CommandResult<'SetChargingProfile'>): boolean {
  if (result.answered) return result.response.status === 'NotSupported';
  return result.error instanceof DomainError && result.error.kind === 'badGateway' && result.error.codes.some((code) => code === 'NotSupported' || code === 'NotImplemented');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
