import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { Bus } from './bus.ts';
import {
  assertChargerExists, isReadOnly, lastBootOf, recordChange, storedConfiguration, storeReport,
  type ConfigurationChange, type ConfigurationChangeStatus,
} from './chargerConfiguration.ts';
import type { ChargerGateway, CommandOrigin } from './chargerGateway.ts';
import {
  effectiveDesired, listDesired, onlineChargersFollowing, removeDesired, setDesired,
  type DesiredKey, type DesiredLevel, type EffectiveDesiredKey,
} from './desiredConfiguration.ts';
import { getChargePoint } from './chargePoints.ts';
import { DomainError, notFound } from './errors.ts';
import type { ChargerId } from './units.ts';

/** One key of a charger's configuration: as reported, as last changed, and as desired. */
export interface ConfigurationKeyView {
  key: string;
  value: string | null;
  readonly: boolean | null;
  readAt: Date | null;
  desired: { value: string; source: EffectiveDesiredKey['source'] } | null;
  lastChange: ConfigurationChange | null;
}

export interface ConfigurationView {
  chargerId: ChargerId;
  readAt: Date | null;
  unknownKeys: string[];
  /** A key's last change answered RebootRequired after the charger's last boot. */
  rebootRequired: boolean;
  keys: ConfigurationKeyView[];
}

/** What a charger answered to one ChangeConfiguration (Failed: no answer in time, or a CALLERROR). */
export interface ChangeResult {
  key: string;
  value: string;
  status: ConfigurationChangeStatus;
  error?: string;
}

export interface PushResult {
  chargerId: ChargerId;
  /** Null when the charger went offline before the key was sent. */
  status: ConfigurationChangeStatus | null;
  error?: string;
}

/** How many chargers a change of a charge point's desired configuration is pushed to at once. */
const PUSH_CONCURRENCY = 4;

const DESIRED: CommandOrigin = { subsystem: 'configuration' };

const describe = (error: unknown) => (error instanceof DomainError ? `${error.codes[0] ?? error.kind}: ${error.message}` : String(error));

/** A failure the charger is to blame for (no answer, a CALLERROR) is recorded; one where nothing reached it is not. */
const reachedCharger = (error: unknown) => error instanceof DomainError && (error.kind === 'timeout' || error.kind === 'badGateway');

const isReadOnlyRefusal = (error: unknown) => error instanceof DomainError && error.codes.includes('configurationKeyReadOnly');

async function eachBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The OCPP configuration of chargers: reading it (GetConfiguration), changing it
 * (ChangeConfiguration), and keeping it at what operators want (the desired configuration,
 * pushed after every boot and whenever it changes). Every answer is kept in the database,
 * so any node shows it; commands go through the gateway to the node holding the charger.
 */
export class ConfigurationControl {
  #unsubscribe: (() => void) | undefined;
  readonly #pushes = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly gateway: ChargerGateway,
    private readonly logger: Logger,
  ) {}

  /** Pushes the desired configuration to chargers that booted on this node (the node holding their socket). */
  listen(bus: Bus): void {
    this.#unsubscribe = bus.subscribe('chargerBooted', ({ chargerId, facts }, origin) => {
      if (!origin.local || !facts.desiredConfiguration) return;
      const push = this.pushDesired(chargerId)
        .then(() => undefined, (error: unknown) => this.logger.warn({ chargerId, reason: describe(error) }, 'desired configuration not pushed after boot'))
        .finally(() => this.#pushes.delete(push));
      this.#pushes.add(push);
    });
  }

  /** Stops listening and waits for the pushes under way. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.all(this.#pushes);
  }

  async view(chargerId: ChargerId): Promise<ConfigurationView> {
    await assertChargerExists(this.db, chargerId);
    const [stored, desired, booted] = await Promise.all([
      storedConfiguration(this.db, chargerId),
      effectiveDesired(this.db, chargerId),
      lastBootOf(this.db, chargerId),
    ]);
    const keys = new Map<string, ConfigurationKeyView>(stored.keys.map((k) => [k.key, { ...k, desired: null }]));
    for (const d of desired) {
      const view = keys.get(d.key) ?? { key: d.key, value: null, readonly: null, readAt: null, desired: null, lastChange: null };
      keys.set(d.key, { ...view, desired: { value: d.value, source: d.source } });
    }
    return {
      chargerId,
      readAt: stored.readAt,
      unknownKeys: stored.unknownKeys,
      rebootRequired: stored.keys.some((k) => k.lastChange?.status === 'RebootRequired' && (booted === null || k.lastChange.at > booted)),
      keys: [...keys.values()].sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  /** Asks the charger for its whole configuration and stores the answer. */
  async refresh(chargerId: ChargerId, origin: CommandOrigin): Promise<ConfigurationView> {
    await assertChargerExists(this.db, chargerId);
    const answer = await this.gateway.send(chargerId, 'GetConfiguration', {}, origin);
    await storeReport(this.db, chargerId, answer.configurationKey ?? [], answer.unknownKey ?? [], new Date());
    return this.view(chargerId);
  }

  /**
   * Sends one ChangeConfiguration and records the answer. A key the stored configuration
   * shows read-only is refused without asking; the gateway's failures are thrown after a
   * failure the charger caused (no answer, a CALLERROR) is recorded.
   */
  async change(chargerId: ChargerId, key: string, value: string, origin: CommandOrigin): Promise<ChangeResult> {
    await assertChargerExists(this.db, chargerId);
    if (await isReadOnly(this.db, chargerId, key)) {
      throw new DomainError('conflict', ['configurationKeyReadOnly'], `Charger ${chargerId} reports ${key} as read-only`);
    }
    try {
      const { status } = await this.gateway.send(chargerId, 'ChangeConfiguration', { key, value }, origin);
      await recordChange(this.db, chargerId, key, value, origin.subsystem, { status }, new Date());
      return { key, value, status };
    } catch (error) {
      if (reachedCharger(error)) await recordChange(this.db, chargerId, key, value, origin.subsystem, { status: 'Failed', error: describe(error) }, new Date());
      throw error;
    }
  }

  /**
   * Sends the charger every key it should hold, one by one, then reads its configuration
   * back. A key that fails is recorded and the next one is tried; a charger that went
   * offline ends the push. A charger with nothing to hold is not asked anything: chargers
   * that do not answer GetConfiguration would otherwise hold up their commands after
   * every boot.
   */
  async pushDesired(chargerId: ChargerId, only?: readonly string[]): Promise<ChangeResult[]> {
    const desired = (await effectiveDesired(this.db, chargerId)).filter((d) => only === undefined || only.includes(d.key));
    if (desired.length === 0) return [];
    const results: ChangeResult[] = [];
    for (const { key, value } of desired) {
      try {
        results.push(await this.change(chargerId, key, value, DESIRED));
      } catch (error) {
        if (isReadOnlyRefusal(error)) {
          // Not sent: the charger would refuse it anyway. Recorded, so the operator sees why the value is not held.
          const refusal = { status: 'Rejected' as const, error: describe(error) };
          await recordChange(this.db, chargerId, key, value, DESIRED.subsystem, refusal, new Date());
          results.push({ key, value, ...refusal });
          continue;
        }
        if (error instanceof DomainError && (error.kind === 'conflict' || error.kind === 'unavailable')) throw error;
        results.push({ key, value, status: 'Failed', error: describe(error) });
      }
    }
    await this.refresh(chargerId, DESIRED).catch((error: unknown) => this.logger.info({ chargerId, reason: describe(error) }, 'configuration not read after the push'));
    return results;
  }

  async listDesired(level: DesiredLevel): Promise<DesiredKey[]> {
    if ('chargerId' in level) await assertChargerExists(this.db, level.chargerId);
    else await getChargePoint(this.db, level.chargePointId);
    return listDesired(this.db, level);
  }

  /** Sets a desired key and pushes it at once to the chargers online that hold it from this level. */
  async setDesired(level: DesiredLevel, key: string, value: string): Promise<{ desired: DesiredKey; pushed: PushResult[] }> {
    if ('chargerId' in level) {
      await assertChargerExists(this.db, level.chargerId);
      if (await isReadOnly(this.db, level.chargerId, key)) {
        throw new DomainError('conflict', ['configurationKeyReadOnly'], `Charger ${level.chargerId} reports ${key} as read-only`);
      }
    }
    const desired = await setDesired(this.db, level, key, value);
    return { desired, pushed: await this.pushToFollowers(level, key) };
  }

  /**
   * Removes a desired key. Chargers keep the value they hold; one that now follows its
   * charge point's value for the key gets that at once.
   */
  async removeDesired(level: DesiredLevel, key: string): Promise<{ pushed: PushResult[] }> {
    if (!(await removeDesired(this.db, level, key))) throw notFound(`Desired configuration key ${key}`);
    return { pushed: 'chargerId' in level ? await this.pushToFollowers(level, key) : [] };
  }

  private async pushToFollowers(level: DesiredLevel, key: string): Promise<PushResult[]> {
    const chargers = await onlineChargersFollowing(this.db, level, key);
    return eachBounded(chargers, PUSH_CONCURRENCY, async (chargerId): Promise<PushResult> => {
      try {
        const [result] = await this.pushDesired(chargerId, [key]);
        return result ? { chargerId, status: result.status, ...(result.error ? { error: result.error } : {}) } : { chargerId, status: null };
      } catch (error) {
        return { chargerId, status: null, error: describe(error) };
      }
    });
  }
}
