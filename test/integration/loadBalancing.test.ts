import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator, type SimulatorOptions } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const VOLTS = 230;
const CHARGERS = [100004, 100005, 100006];
const SERIALS = ['abc114', 'abc115', 'abc116'];
/** What each charger may draw: 16 A per phase, three phases. */
const MAX_A = 16;
const TAGS = ['BALANCETAG1', 'BALANCETAG2', 'BALANCETAG3'];

interface Charger {
  sim: ChargerSimulator;
  /** The limits (A) of the SetChargingProfiles it received, in order. */
  limits: number[];
  /** The SetChargingProfiles it received. */
  profiles: any[];
}

describe('site load balancing', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let site: number;
  let chargers: Charger[] = [];
  const db = () => t.system.database.db;

  async function connect(i: number, options: Partial<SimulatorOptions> = {}): Promise<Charger> {
    const limits: number[] = [];
    const profiles: any[] = [];
    const sim = new ChargerSimulator({
      url: `${t.system.ocppUrl}/charger/${SERIALS[i]}`, powerW: MAX_A * 3 * VOLTS, meterValueIntervalMs: 0, idTag: TAGS[i], ...options,
    });
    sim.on('call', (action, payload) => {
      if (action !== 'SetChargingProfile') return;
      limits.push(payload.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit);
      profiles.push(payload);
    });
    await sim.connect();
    await sim.boot();
    const charger = { sim, limits, profiles };
    chargers.push(charger);
    return charger;
  }

  const drawnA = (charger: Charger) => charger.sim.connector(1).powerW / (3 * VOLTS);
  const allocation = async (chargerId: number) => (await db().selectFrom('connector_allocations').selectAll().where('charger_id', '=', chargerId).executeTakeFirst());

  beforeAll(async () => {
    t = await startTestSystem({ BALANCING_INTERVAL: '1', BALANCING_OFFLINE_GRACE: '3', OCPP_CALL_TIMEOUT: '2' });
    admin = await t.adminToken();
    site = (await db().insertInto('charge_points').values({ name: 'Balanced site', latitude: 57.78, longitude: 14.16 }).returning('id').executeTakeFirstOrThrow()).id;
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6', charge_point_id: site }).where('id', 'in', CHARGERS).execute();
    await db().insertInto('id_tags').values(TAGS.map((id_tag) => ({ id_tag }))).execute();
    for (const id of CHARGERS) expect((await t.request('PUT', `/chargers/${id}/supply`, { token: admin, body: { maxCurrentA: MAX_A } })).status).toBe(200);
    expect((await t.request('PUT', `/chargePoints/${site}/capacity`, { token: admin, body: { maxCurrentA: 25, phases: 3, reserveCurrentA: 0 } })).status).toBe(200);
  });

  afterEach(async () => {
    await Promise.all(chargers.map((c) => c.sim.close()));
    chargers = [];
    await db().updateTable('charging_sessions').set({ status: 'Completed' }).where('charger_id', 'in', CHARGERS).where('status', 'in', ['Charging', 'Stopping']).execute();
    await db().updateTable('chargers').set({ smart_charging: 'unknown' }).where('id', 'in', CHARGERS).execute();
    await until(async () => (await db().selectFrom('connector_allocations').select('charger_id').where('charge_point_id', '=', site).execute()).length === 0);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shares the site between sessions as they start and stop, lowering before raising', async () => {
    const [a, b] = [await connect(0), await connect(1)];
    await a.sim.startLocalSession(1);
    // Alone, A may draw its maximum: the site has room, so nothing is sent.
    await until(async () => (await allocation(CHARGERS[0]!))?.current_a === MAX_A);
    expect(a.limits).toEqual([]);
    expect(drawnA(a)).toBeCloseTo(MAX_A, 5);

    await b.sim.startLocalSession(1);
    const rows = () => db().selectFrom('connector_allocations').selectAll().where('charge_point_id', '=', site).orderBy('charger_id').execute();
    await until(async () => (await rows()).filter((r) => r.status === 'accepted' && r.in_force_a === 12.5).length === 2);
    expect((await rows()).map((r) => [r.current_a, r.in_force_a, r.status, r.limited_by])).toEqual([[12.5, 12.5, 'accepted', 'site'], [12.5, 12.5, 'accepted', 'site']]);
    expect(a.limits.at(-1)).toBe(12.5);
    expect(b.limits.at(-1)).toBe(12.5);
    expect(drawnA(a) + drawnA(b)).toBeCloseTo(25, 5);
    expect((await db().selectFrom('chargers').select('smart_charging').where('id', 'in', CHARGERS.slice(0, 2)).execute()).map((c) => c.smart_charging)).toEqual(['supported', 'supported']);
    const history = (await t.request('GET', `/chargers/${CHARGERS[0]}/commands?action=SetChargingProfile`, { token: admin })).body;
    expect(history.commands[0]).toMatchObject({ subsystem: 'balancing', outcome: 'answered', status: 'Accepted' });
    expect(history.commands[0].request.csChargingProfiles).toMatchObject({ chargingProfilePurpose: 'TxProfile', transactionId: a.sim.connector(1).transactionId });

    await b.sim.stopSession(1);
    await until(async () => a.limits.at(-1) === MAX_A);
    expect(drawnA(a)).toBeCloseTo(MAX_A, 5);
  });

  it('counts a raise the charger never answered as taken, and a lowering only once accepted', async () => {
    let answered = 0;
    // Answers its first limit, then no more (a charger whose answers are lost).
    const silent = await connect(0, { behaviour: { SetChargingProfile: () => (answered++ === 0 ? { status: 'Accepted' } : new Promise(() => {})) } });
    const b = await connect(1);
    await silent.sim.startLocalSession(1);
    await b.sim.startLocalSession(1);
    await until(async () => (await allocation(CHARGERS[0]!))?.in_force_a === 12.5 && (await allocation(CHARGERS[1]!))?.status === 'accepted');
    await b.sim.stopSession(1);
    // The raise to 16 A is in the books while it waits for the answer, and stays there when none comes.
    await until(async () => (await allocation(CHARGERS[0]!))?.current_a === MAX_A);
    expect(await allocation(CHARGERS[0]!)).toMatchObject({ in_force_a: MAX_A, status: 'pending' });
    const timedOut = async () => (await t.request('GET', `/chargers/${CHARGERS[0]}/commands?action=SetChargingProfile&outcome=timeout`, { token: admin })).body.commands.length > 0;
    await until(timedOut, 15_000);
    // From then on it is counted at the 16 A it may draw and sent that again off the balancer's path, until it answers;
    // a new session gets what is left at once rather than after another timeout.
    await until(async () => (await allocation(CHARGERS[0]!))?.limited_by === 'unanswered');
    expect(await allocation(CHARGERS[0]!)).toMatchObject({ current_a: MAX_A, in_force_a: MAX_A });
    await b.sim.startLocalSession(1);
    await until(async () => b.limits.at(-1) === 9);
    expect(await allocation(CHARGERS[1]!)).toMatchObject({ current_a: 9, limited_by: 'site' });
  });

  it('sends a TxDefaultProfile on the connector to a charger that prefers it', async () => {
    await db().updateTable('chargers').set({ balancing_profile: 'TxDefaultProfile' }).where('id', '=', CHARGERS[1]!).execute();
    try {
      const [a, b] = [await connect(0), await connect(1)];
      await a.sim.startLocalSession(1);
      await b.sim.startLocalSession(1);
      await until(async () => (await db().selectFrom('connector_allocations').select('status').where('charge_point_id', '=', site).where('status', '=', 'accepted').execute()).length === 2);
      expect(b.profiles.at(-1)).toMatchObject({ connectorId: 1, csChargingProfiles: { chargingProfilePurpose: 'TxDefaultProfile', chargingProfileId: 900_001 } });
      expect(b.profiles.at(-1).csChargingProfiles.transactionId).toBeUndefined();
      expect(a.profiles.at(-1).csChargingProfiles).toMatchObject({ chargingProfilePurpose: 'TxProfile' });
      expect(drawnA(a) + drawnA(b)).toBeCloseTo(25, 5);
    } finally {
      await db().updateTable('chargers').set({ balancing_profile: 'TxProfile' }).where('id', '=', CHARGERS[1]!).execute();
    }
  });

  it('makes a session wait at 0 A when the minimum is not left, and counts a charger that refuses limits at its maximum', async () => {
    const refusing = await connect(0, { behaviour: { SetChargingProfile: 'reject' } });
    const [b, c] = [await connect(1), await connect(2)];
    await b.sim.startLocalSession(1);
    await c.sim.startLocalSession(1);
    await until(async () => b.limits.at(-1) === 12.5 && c.limits.at(-1) === 12.5);

    await refusing.sim.startLocalSession(1);
    // The refusing charger draws 16 A whatever it is sent: 9 A are left, enough for one minimum; the later session waits.
    await until(async () => (await db().selectFrom('chargers').select('smart_charging').where('id', '=', CHARGERS[0]!).executeTakeFirstOrThrow()).smart_charging === 'unsupported');
    await until(async () => b.limits.at(-1) === 9 && c.limits.at(-1) === 0);
    expect(await allocation(CHARGERS[0]!)).toMatchObject({ current_a: MAX_A, limited_by: 'unsupported', status: 'unsupported' });
    expect(await allocation(CHARGERS[2]!)).toMatchObject({ current_a: 0, limited_by: 'minimum', in_force_a: 0 });
    expect(drawnA(refusing) + drawnA(b) + drawnA(c)).toBeLessThanOrEqual(25 + 1e-9);
  });

  it('counts a charger whose configuration shows no SmartCharging at its maximum without sending it limits', async () => {
    await db().insertInto('charger_configuration').values({ charger_id: CHARGERS[0]!, key: 'SupportedFeatureProfiles', value: 'Core,RemoteTrigger', readonly: true, read_at: new Date() }).execute();
    try {
      const [a, b] = [await connect(0), await connect(1)];
      await a.sim.startLocalSession(1);
      await b.sim.startLocalSession(1);
      await until(async () => b.limits.at(-1) === 9);
      expect(a.limits).toEqual([]);
      expect(await allocation(CHARGERS[0]!)).toMatchObject({ current_a: MAX_A, limited_by: 'unsupported', status: 'unsupported' });
    } finally {
      await db().deleteFrom('charger_configuration').where('charger_id', '=', CHARGERS[0]!).execute();
    }
  });

  it('keeps an offline charger\'s limit counted for the grace period, then gives it to the others', async () => {
    const [a, b] = [await connect(0), await connect(1)];
    await a.sim.startLocalSession(1);
    await b.sim.startLocalSession(1);
    await until(async () => a.limits.at(-1) === 12.5 && b.limits.at(-1) === 12.5);
    a.sim.terminate();
    await until(async () => (await allocation(CHARGERS[0]!))?.limited_by === 'offline');
    expect(b.limits.at(-1)).toBe(12.5);
    // After BALANCING_OFFLINE_GRACE (3 s) its share goes to B.
    await until(async () => b.limits.at(-1) === MAX_A, 15_000);
    expect(await allocation(CHARGERS[0]!)).toBeUndefined();
  });

  it('gives what a full car leaves to the others', async () => {
    // A small battery fills in seconds; the car then draws nothing.
    const full = await connect(0, { batteryWh: 30 });
    const b = await connect(1);
    await full.sim.startLocalSession(1);
    await b.sim.startLocalSession(1);
    await until(async () => full.limits.at(-1) === 12.5 && b.limits.at(-1) === 12.5);
    await until(async () => drawnA(full) === 0, 20_000);
    // Its readings show it drawing well below its limit: lowered to the minimum; B gets what it leaves, up to B's own maximum.
    await until(async () => {
      await full.sim.sendMeterValues(1);
      return full.limits.at(-1) === 6;
    }, 30_000);
    await until(async () => b.limits.at(-1) === MAX_A);
    expect(await allocation(CHARGERS[1]!)).toMatchObject({ current_a: MAX_A, limited_by: 'charger' });
    expect(await allocation(CHARGERS[0]!)).toMatchObject({ current_a: 6, limited_by: 'demand' });
  });

  it('sends a driver\'s plan as the TxProfile schedule: nothing in the dear hours, full current in the cheapest', async () => {
    const HOUR = 3_600_000;
    const hour0 = Math.floor(Date.now() / HOUR) * HOUR;
    const cheap = hour0 + 2 * HOUR;
    const hours = Array.from({ length: 4 }, (_, i) => hour0 + i * HOUR);
    const tariffs = await t.request('PUT', '/tariffs', {
      token: admin, body: { tariffs: hours.map((hour) => ({ startsAt: new Date(hour).toISOString(), pricePerKwhOre: hour === cheap ? 20 : 400 })) },
    });
    expect(tariffs.status).toBe(200);
    const a = await connect(0);
    const { transactionId } = await a.sim.startLocalSession(1);
    await until(async () => (await allocation(CHARGERS[0]!))?.current_a === MAX_A);
    // 5.52 kWh at 16 A × 3 × 230 V = 11.04 kW: half an hour of the cheap hour.
    const plan = await t.request('PUT', `/transaction/${transactionId}/plan`, { token: admin, body: { readyBy: new Date(hour0 + 4 * HOUR).toISOString(), energyWh: 5520 } });
    expect(plan.status).toBe(200);
    expect(plan.body.periods).toEqual([expect.objectContaining({ startsAt: new Date(cheap).toISOString(), currentA: MAX_A })]);

    await until(async () => a.limits.at(-1) === 0);
    const sent = a.profiles.at(-1).csChargingProfiles;
    expect(sent).toMatchObject({ chargingProfilePurpose: 'TxProfile', transactionId, chargingProfileKind: 'Absolute' });
    const start = Date.parse(sent.chargingSchedule.startSchedule);
    const periods = sent.chargingSchedule.chargingSchedulePeriod.map((p: any) => [start + p.startPeriod * 1000, p.limit]);
    const planEnd = Date.parse(plan.body.periods[0].endsAt);
    expect(periods).toEqual([[start, 0], [cheap, MAX_A], [planEnd, 0]]);
    await until(async () => (await allocation(CHARGERS[0]!))?.status === 'accepted');
    expect(await allocation(CHARGERS[0]!)).toMatchObject({ current_a: 0, limited_by: 'plan', in_force_a: 0 });
    expect(a.sim.connector(1).powerW).toBe(0);

    // The capacity it leaves now goes to others: a second session gets up to its maximum.
    const b = await connect(1);
    await b.sim.startLocalSession(1);
    await until(async () => (await allocation(CHARGERS[1]!))?.current_a === MAX_A);
    expect(b.limits).toEqual([]);
  });
});
