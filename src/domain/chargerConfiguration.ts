import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { ConfigurationChangeStatus } from '../db/schema.ts';
import type { CommandSubsystem } from './chargerGateway.ts';
import { notFound } from './errors.ts';
import type { ChargerId } from './units.ts';

export { CONFIGURATION_CHANGE_STATUSES, type ConfigurationChangeStatus } from '../db/schema.ts';

/** One key of a GetConfiguration answer (OCPP 1.6 KeyValue). */
export interface ReportedKey {
  key: string;
  readonly: boolean;
  value?: string;
}

/** The last ChangeConfiguration of a key and what came of it. */
export interface ConfigurationChange {
  status: ConfigurationChangeStatus;
  /** The value sent. */
  value: string;
  /** Why it failed (no answer in time, the charger's CALLERROR), for Failed. */
  error: string | null;
  /** The subsystem that sent it: `operator` (an admin's change) or `configuration` (the desired configuration). */
  by: string;
  at: Date;
}

/** What is stored of one key of a charger. */
export interface StoredKey {
  key: string;
  /** As last reported, or as the charger accepted it since. */
  value: string | null;
  /** Null when the last answer did not list the key. */
  readonly: boolean | null;
  readAt: Date | null;
  lastChange: ConfigurationChange | null;
}

export interface StoredConfiguration {
  /** When the last GetConfiguration answer came; null when none was stored. */
  readAt: Date | null;
  unknownKeys: string[];
  keys: StoredKey[];
}

/** Any charger, placed at a charge point or not: configuration is about the device. */
export async function assertChargerExists(db: Db, chargerId: ChargerId): Promise<void> {
  const row = await db.selectFrom('chargers').select('id').where('id', '=', chargerId).executeTakeFirst();
  if (!row) throw notFound(`Charger ${chargerId}`);
}

/** When the charger's last BootNotification came: a RebootRequired change made before it has been taken. */
export async function lastBootOf(db: Db, chargerId: ChargerId): Promise<Date | null> {
  const row = await db.selectFrom('chargers').select('booted_at').where('id', '=', chargerId).executeTakeFirst();
  return row?.booted_at ?? null;
}

/**
 * Stores a GetConfiguration answer: its keys replace what was reported before, and keys it
 * no longer lists lose their reported value (their last change stays).
 */
export async function storeReport(db: Db, chargerId: ChargerId, keys: readonly ReportedKey[], unknownKeys: readonly string[], readAt: Date): Promise<void> {
  // A charger may list a key twice; the last one counts, as one row per key is kept.
  const byKey = new Map(keys.map((k) => [k.key, k]));
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('charger_configuration_reads')
      .values({ charger_id: chargerId, unknown_keys: [...unknownKeys], read_at: readAt })
      .onConflict((c) => c.column('charger_id').doUpdateSet({ unknown_keys: [...unknownKeys], read_at: readAt }))
      .execute();
    let unlisted = trx.updateTable('charger_configuration')
      .set({ value: null, readonly: null, read_at: null })
      .where('charger_id', '=', chargerId);
    if (byKey.size > 0) unlisted = unlisted.where('key', 'not in', [...byKey.keys()]);
    await unlisted.execute();
    if (byKey.size === 0) return;
    await trx.insertInto('charger_configuration')
      .values([...byKey.values()].map((k) => ({ charger_id: chargerId, key: k.key, value: k.value ?? null, readonly: k.readonly, read_at: readAt })))
      .onConflict((c) => c.columns(['charger_id', 'key']).doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'), readonly: eb.ref('excluded.readonly'), read_at: eb.ref('excluded.read_at'),
      })))
      .execute();
  });
}

/** Records a ChangeConfiguration's outcome; a value the charger took (Accepted, RebootRequired) becomes the stored value. */
export async function recordChange(db: Db, chargerId: ChargerId, key: string, value: string, by: CommandSubsystem, outcome: { status: ConfigurationChangeStatus; error?: string }, at: Date): Promise<void> {
  const taken = outcome.status === 'Accepted' || outcome.status === 'RebootRequired';
  const change = { change_status: outcome.status, change_value: value, change_error: outcome.error ?? null, change_by: by, changed_at: at };
  await db.insertInto('charger_configuration')
    .values({ charger_id: chargerId, key, value: taken ? value : null, readonly: null, read_at: null, ...change })
    .onConflict((c) => c.columns(['charger_id', 'key']).doUpdateSet(taken ? { ...change, value } : change))
    .execute();
}

/** Whether the stored configuration says the key is read-only (unknown keys are not). */
export async function isReadOnly(db: Db, chargerId: ChargerId, key: string): Promise<boolean> {
  const row = await db.selectFrom('charger_configuration').select('readonly')
    .where('charger_id', '=', chargerId).where(sql<boolean>`lower(key) = lower(${key})`).where('readonly', '=', true).executeTakeFirst();
  return row !== undefined;
}

export async function storedConfiguration(db: Db, chargerId: ChargerId): Promise<StoredConfiguration> {
  const [read, rows] = await Promise.all([
    db.selectFrom('charger_configuration_reads').select(['unknown_keys', 'read_at']).where('charger_id', '=', chargerId).executeTakeFirst(),
    db.selectFrom('charger_configuration').selectAll().where('charger_id', '=', chargerId).orderBy('key').execute(),
  ]);
  return {
    readAt: read?.read_at ?? null,
    unknownKeys: read?.unknown_keys ?? [],
    keys: rows.map((row) => ({
      key: row.key,
      value: row.value,
      readonly: row.readonly,
      readAt: row.read_at,
      lastChange: row.change_status && row.changed_at
        ? { status: row.change_status, value: row.change_value ?? '', error: row.change_error, by: row.change_by ?? '', at: row.changed_at }
        : null,
    })),
  };
}
