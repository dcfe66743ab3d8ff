import { randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { SessionStatus } from '../db/schema.ts';
import { createUser } from '../domain/users.ts';
import type { SelfTestLogger } from './types.ts';
import { describeError, type Waits } from './waits.ts';

/** One temporary charger (FlexiCharge dialect) at the temporary charge point. */
export interface TemporaryCharger {
  id: number;
  serialNumber: string;
}

/**
 * The temporary data one run works on: its own charge point, two chargers and a user, named
 * with a random suffix so concurrent runs (and other server processes on the same database)
 * never share anything. Real chargers and users are never touched.
 *
 * The live-metrics tests get a charger of their own: the FlexiCharge charger says
 * transactionId 1 in every MeterValues, and the server takes that for session 1 when
 * session 1 is on that charger, even finished (which the charger tests' session is on a
 * database without earlier sessions), instead of the session running now.
 */
export interface Fixture {
  suffix: string;
  chargePointId: number;
  chargePointName: string;
  /** For the charger tests: `selftest-<suffix>`. */
  charger: TemporaryCharger;
  /** For the live-metrics tests: `selftest-<suffix>-live`. */
  liveCharger: TemporaryCharger;
  userId: number;
  email: string;
  /** Sessions and reservations this run created, removed with the rest. */
  sessionIds: number[];
  reservationIds: number[];
}

/** A fixture as far as it got; what exists of it is removed. */
type FixtureInProgress = Partial<Fixture> & Pick<Fixture, 'suffix' | 'sessionIds' | 'reservationIds'>;

/** The MessageLog (OCPP_MESSAGE_LOG=1) stores frames once a second; wait that out before deleting the charger. */
const MESSAGE_LOG_FLUSH_MS = 1500;

export async function createFixture(db: Db): Promise<Fixture> {
  const suffix = randomBytes(6).toString('hex');
  const fixture: FixtureInProgress = {
    suffix,
    chargePointName: `Self-test ${suffix}`,
    email: `selftest-${suffix}@selftest.invalid`,
    sessionIds: [],
    reservationIds: [],
  };
  try {
    const chargePoint = await db
      .insertInto('charge_points')
      .values({ name: fixture.chargePointName!, address: 'OCPP self-test (temporary)', latitude: 0, longitude: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    fixture.chargePointId = chargePoint.id;
    const addCharger = async (serialNumber: string): Promise<TemporaryCharger> => {
      const row = await db
        .insertInto('chargers')
        .values({ serial_number: serialNumber, charge_point_id: chargePoint.id, latitude: 0, longitude: 0, dialect: 'flexicharge', status: 'Unavailable' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, serialNumber };
    };
    fixture.charger = await addCharger(`selftest-${suffix}`);
    fixture.liveCharger = await addCharger(`selftest-${suffix}-live`);
    const user = await createUser(db, { email: fixture.email!, password: randomBytes(24).toString('base64url'), role: 'user', firstName: 'Self-test' });
    fixture.userId = user.id;
    return fixture as Fixture;
  } catch (error) {
    await removeFixture(db, fixture, undefined);
    throw error;
  }
}

/** An idTag no real card or session uses: 15 random digits (the FlexiCharge charger int()s tags). */
export function uniqueIdTag(): string {
  return `9${String(randomInt(0, 1e14)).padStart(14, '0')}`;
}

/**
 * A session of the temporary user waiting for its StartTransaction, as the app's start
 * leaves it: the StartTransaction that follows a RemoteStartTransaction with `idTag` attaches
 * to it (see startTransaction), so it belongs to the temporary user and is Accepted.
 */
export async function insertStartingSession(db: Db, fixture: Fixture, chargerId: number, idTag: string, reservationId?: number): Promise<number> {
  const row = await db
    .insertInto('charging_sessions')
    .values({
      charger_id: chargerId,
      connector_id: 1,
      user_id: fixture.userId,
      id_tag: idTag,
      status: 'Starting',
      reservation_id: reservationId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  fixture.sessionIds.push(row.id);
  return row.id;
}

export async function insertReservation(db: Db, fixture: Fixture, idTag: string, expiresAt: Date): Promise<number> {
  const row = await db
    .insertInto('reservations')
    .values({ charger_id: fixture.charger.id, connector_id: 1, user_id: fixture.userId, id_tag: idTag, expires_at: expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  fixture.reservationIds.push(row.id);
  return row.id;
}

export async function sessionStatus(db: Db, sessionId: number): Promise<SessionStatus | undefined> {
  const row = await db.selectFrom('charging_sessions').select('status').where('id', '=', sessionId).executeTakeFirst();
  return row?.status;
}

/**
 * Lets the server finish what a stopped session starts on its own (pricing and payment,
 * see SessionService.finalize) before the rows go, so that work never runs into deleted
 * rows. Bounded; a session that never completed has nothing pending.
 */
async function settleSessions(db: Db, sessionIds: readonly number[], waits: Waits): Promise<void> {
  if (sessionIds.length === 0) return;
  await waits
    .until(async () => {
      const completed = await db.selectFrom('charging_sessions').select('id').where('id', 'in', sessionIds).where('status', '=', 'Completed').execute();
      if (completed.length === 0) return true;
      const ids = completed.map((row) => row.id);
      const settled = await db.selectFrom('payments').select('session_id').where('session_id', 'in', ids).where('status', '!=', 'Open').execute();
      return new Set(settled.map((row) => row.session_id)).size === ids.length;
    }, 'the completed self-test sessions to be priced and settled')
    .catch(() => undefined); // Bounded: whatever is still pending then finds no rows.
}

/**
 * Removes everything of the run, in dependency order, each step on its own so one failure
 * does not leave the rest behind. Sessions would survive the charger (ON DELETE SET NULL) and
 * are deleted first, by id and by charger or user (payments go with them); meter values,
 * reservations, connectors and logged frames go with the charger; the charge point last.
 */
export async function removeFixture(db: Db, fixture: FixtureInProgress, waits: Waits | undefined, logger?: SelfTestLogger): Promise<void> {
  const { userId, chargePointId } = fixture;
  const chargerIds = [fixture.charger?.id, fixture.liveCharger?.id].filter((id): id is number => id !== undefined);
  const step = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      logger?.warn({ err: error, suffix: fixture.suffix }, `OCPP self-test: could not remove ${what}: ${describeError(error)}`);
    }
  };

  if (waits) {
    await settleSessions(db, fixture.sessionIds, waits);
    if (chargerIds.length > 0) await new Promise((resolve) => setTimeout(resolve, MESSAGE_LOG_FLUSH_MS));
  }

  await step('the temporary sessions', async () => {
    let sessions = db.selectFrom('charging_sessions').select('id');
    const ids = [...fixture.sessionIds];
    if (chargerIds.length === 0 && userId === undefined && ids.length === 0) return;
    sessions = sessions.where((eb) => eb.or([
      ...(ids.length ? [eb('id', 'in', ids)] : []),
      ...(chargerIds.length ? [eb('charger_id', 'in', chargerIds)] : []),
      ...(userId !== undefined ? [eb('user_id', '=', userId)] : []),
    ]));
    const rows = await sessions.execute();
    const all = rows.map((row) => row.id);
    if (all.length === 0) return;
    await db.deleteFrom('meter_values').where('session_id', 'in', all).execute();
    await db.deleteFrom('charging_sessions').where('id', 'in', all).execute();
  });
  if (chargerIds.length > 0) {
    await step('the temporary meter values', () => db.deleteFrom('meter_values').where('charger_id', 'in', chargerIds).execute());
    await step('the temporary reservations', () => db.deleteFrom('reservations').where('charger_id', 'in', chargerIds).execute());
    await step('the temporary chargers', () => db.deleteFrom('chargers').where('id', 'in', chargerIds).execute());
  }
  if (userId !== undefined) {
    await step('the temporary user\'s reservations', () => db.deleteFrom('reservations').where('user_id', '=', userId).execute());
    await step('the temporary user', () => db.deleteFrom('users').where('id', '=', userId).execute());
  }
  if (chargePointId !== undefined) {
    await step('the temporary charge point', () => db.deleteFrom('charge_points').where('id', '=', chargePointId).execute());
  }
}
