import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const POWER_W = 22_000;
/** One idTag per charger: an idTag runs one session at a time. */
const TAGS = ['PROFILETAG1', 'PROFILETAG2', 'PROFILETAG3'];

interface Profile {
  chargingProfileId: number;
  stackLevel: number;
  chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
  transactionId?: number;
  limit: number;
  unit?: 'A' | 'W';
}

function setBody(connectorId: number, { limit, unit = 'W', ...profile }: Profile) {
  return {
    connectorId,
    csChargingProfiles: {
      ...profile,
      chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
    },
  };
}

/** A 22 kW standard simulator whose MeterValues are sent on request only; `power()` sends one and reads its Power.Active.Import. */
async function charger(ocppUrl: string, serial: string) {
  const sent: any[] = [];
  const sim = new ChargerSimulator({
    url: `${ocppUrl}/charger/${serial}`, powerW: POWER_W, meterValueIntervalMs: 0,
    onFrame: (direction, frame) => {
      if (direction === 'out') sent.push(JSON.parse(frame));
    },
  });
  await sim.connect();
  await sim.boot();
  const power = async () => {
    await sim.sendMeterValues(1);
    const frame = sent.filter((f) => f[0] === 2 && f[2] === 'MeterValues').at(-1);
    const sample = frame[3].meterValue[0].sampledValue.find((s: any) => s.measurand === 'Power.Active.Import');
    return Number(sample.value);
  };
  return { sim, power };
}

describe('charging profiles (smart charging)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const db = () => t.system.database.db;
  const profilesOf = async (chargerId: number) => (await t.request('GET', `/chargers/${chargerId}/charging-profiles`, { token: admin })).body;

  beforeAll(async () => {
    t = await startTestSystem();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100001, 100002, 100003]).execute();
    await db().insertInto('id_tags').values(TAGS.map((id_tag) => ({ id_tag }))).execute();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  it('limits a running session with a ChargePointMaxProfile, shows the composite schedule, and sends the profile again after a Reset', async () => {
    const { sim, power } = await charger(t.system.ocppUrl, 'abc111');
    await sim.startLocalSession(1, TAGS[0]);
    expect(await power()).toBe(POWER_W);

    const set = await t.request('POST', '/chargers/100001/charging-profiles', {
      token: admin, body: setBody(0, { chargingProfileId: 11, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', limit: 3700 }),
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ status: 'Accepted', profile: { chargingProfileId: 11, connectorId: 0, purpose: 'ChargePointMaxProfile', status: 'Accepted' } });
    expect(await power()).toBe(3700);

    const composite = await t.request('GET', '/chargers/100001/composite-schedule?connectorId=1&duration=600&chargingRateUnit=W', { token: admin });
    expect(composite.status).toBe(200);
    expect(composite.body).toMatchObject({
      status: 'Accepted', connectorId: 1,
      chargingSchedule: { duration: 600, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3700 }] },
    });
    const inAmperes = await t.request('GET', '/chargers/100001/composite-schedule?connectorId=1&duration=600&chargingRateUnit=A', { token: admin });
    expect(inAmperes.body.chargingSchedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 5.3, numberPhases: 3 }]);

    const [stored] = await profilesOf(100001);
    expect(stored).toMatchObject({ chargingProfileId: 11, status: 'Accepted', csChargingProfiles: setBody(0, { chargingProfileId: 11, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', limit: 3700 }).csChargingProfiles });

    // The simulator forgets its profiles on a Reset: after the reboot it holds what the server sent again.
    const resent: any[] = [];
    sim.on('call', (action, payload) => {
      if (action === 'SetChargingProfile') resent.push(payload);
    });
    const reset = await t.request('POST', '/chargers/100001/commands/Reset', { token: admin, body: { type: 'Soft' } });
    expect(reset.body.status).toBe('Accepted');
    await until(async () => (await profilesOf(100001))[0]?.appliedAt !== stored.appliedAt);
    expect(resent).toEqual([setBody(0, { chargingProfileId: 11, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', limit: 3700 })]);
    expect((await profilesOf(100001))[0]).toMatchObject({ chargingProfileId: 11, status: 'Accepted', error: null });

    await sim.startLocalSession(1, TAGS[0]);
    expect(await power()).toBe(3700);
    await sim.close();
  });

  it('puts a TxProfile of the running transaction over the TxDefaultProfile, and clears them one by one and by criteria', async () => {
    const { sim, power } = await charger(t.system.ocppUrl, 'abc112');
    const { transactionId } = await sim.startLocalSession(1, TAGS[1]);

    const txDefault = await t.request('POST', '/chargers/100002/charging-profiles', {
      token: admin, body: setBody(1, { chargingProfileId: 21, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', limit: 3700 }),
    });
    expect(txDefault.body.status).toBe('Accepted');
    expect(await power()).toBe(3700);

    // 16 A on three phases at 230 V.
    const tx = await t.request('POST', '/chargers/100002/charging-profiles', {
      token: admin, body: setBody(1, { chargingProfileId: 22, stackLevel: 1, chargingProfilePurpose: 'TxProfile', transactionId, limit: 16, unit: 'A' }),
    });
    expect(tx.body).toMatchObject({ status: 'Accepted', profile: { chargingProfileId: 22, purpose: 'TxProfile', transactionId } });
    expect(await power()).toBe(16 * 3 * 230);
    expect((await profilesOf(100002)).map((p: any) => p.chargingProfileId)).toEqual([21, 22]);

    const removed = await t.request('DELETE', '/chargers/100002/charging-profiles/22', { token: admin });
    expect(removed.body).toEqual({ status: 'Accepted' });
    expect(await power()).toBe(3700);
    expect((await t.request('DELETE', '/chargers/100002/charging-profiles/22', { token: admin })).status).toBe(404);

    // A criterion that matches nothing: the charger answers Unknown and nothing is forgotten.
    const none = await t.request('DELETE', '/chargers/100002/charging-profiles?purpose=TxDefaultProfile&stackLevel=5', { token: admin });
    expect(none.body).toEqual({ status: 'Unknown', removed: [] });
    const cleared = await t.request('DELETE', '/chargers/100002/charging-profiles?purpose=TxDefaultProfile&connectorId=1', { token: admin });
    expect(cleared.body).toEqual({ status: 'Accepted', removed: [21] });
    expect(await power()).toBe(POWER_W);
    expect(await profilesOf(100002)).toEqual([]);

    // A TxProfile set without a transactionId belongs to the running one, and ends with it.
    const unnamed = await t.request('POST', '/chargers/100002/charging-profiles', {
      token: admin, body: setBody(1, { chargingProfileId: 23, stackLevel: 0, chargingProfilePurpose: 'TxProfile', limit: 7400 }),
    });
    expect(unnamed.body.profile.transactionId).toBe(transactionId);
    expect(await power()).toBe(7400);
    await sim.stopSession(1);
    await until(async () => (await profilesOf(100002)).length === 0);
    await sim.close();
  });

  it('drops a TxProfile whose transaction ended with a Reset, and keeps sending the others', async () => {
    const { sim } = await charger(t.system.ocppUrl, 'abc113');
    const { transactionId } = await sim.startLocalSession(1, TAGS[2]);
    for (const profile of [
      { chargingProfileId: 31, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile' as const, limit: 11_000 },
      { chargingProfileId: 32, stackLevel: 0, chargingProfilePurpose: 'TxProfile' as const, transactionId, limit: 7400 },
    ]) expect((await t.request('POST', '/chargers/100003/charging-profiles', { token: admin, body: setBody(1, profile) })).body.status).toBe('Accepted');
    const before = await profilesOf(100003);

    expect((await t.request('POST', '/chargers/100003/commands/Reset', { token: admin, body: { type: 'Hard' } })).body.status).toBe('Accepted');
    await until(async () => {
      const now = await profilesOf(100003);
      return now.length === 1 && now[0].appliedAt !== before[0].appliedAt;
    });
    expect((await profilesOf(100003))[0]).toMatchObject({ chargingProfileId: 31, status: 'Accepted' });
    const composite = await t.request('GET', '/chargers/100003/composite-schedule?connectorId=1&duration=60', { token: admin });
    expect(composite.body.chargingSchedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 11_000 }]);
    await sim.close();
  });

  it('refuses an invalid profile with the schema\'s complaint, keeps no rejected one, and needs the charger online', async () => {
    const valid = setBody(0, { chargingProfileId: 41, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', limit: 3700 });
    const offline = await t.request('POST', '/chargers/100001/charging-profiles', { token: admin, body: valid });
    expect(offline.status).toBe(409);
    expect(offline.body.code).toBe('chargerOffline');
    expect((await t.request('GET', '/chargers/100001/composite-schedule?connectorId=0&duration=60', { token: admin })).status).toBe(409);

    const { chargingSchedule: _dropped, ...withoutSchedule } = valid.csChargingProfiles;
    const missing = await t.request('POST', '/chargers/100001/charging-profiles', { token: admin, body: { connectorId: 0, csChargingProfiles: withoutSchedule } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('chargingSchedule');
    const badPurpose = await t.request('POST', '/chargers/100001/charging-profiles', {
      token: admin, body: { ...valid, csChargingProfiles: { ...valid.csChargingProfiles, chargingProfilePurpose: 'Cheapest' } },
    });
    expect(badPurpose.status).toBe(400);
    expect(badPurpose.body.message).toContain('chargingProfilePurpose');
    expect((await t.request('GET', '/chargers/100001/composite-schedule?connectorId=1', { token: admin })).status).toBe(400);
    expect((await t.request('POST', '/chargers/999999/charging-profiles', { token: admin, body: valid })).status).toBe(404);
    const user = await t.createUser();
    expect((await t.request('GET', '/chargers/100001/charging-profiles', { token: user.token })).status).toBe(403);

    // A ChargePointMaxProfile is for connector 0 only: the charger rejects it on connector 1.
    const { sim } = await charger(t.system.ocppUrl, 'abc111');
    const rejected = await t.request('POST', '/chargers/100001/charging-profiles', { token: admin, body: { ...valid, connectorId: 1 } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ status: 'Rejected' });
    expect((await profilesOf(100001)).map((p: any) => p.chargingProfileId)).toEqual([11]);
    await sim.close();
  });
});
