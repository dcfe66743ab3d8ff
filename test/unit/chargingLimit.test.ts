import { describe, expect, it } from 'vitest';
import { compositeSchedule, limitAt, limitSegments, type ChargingProfile, type InstalledProfile } from '../../src/sim/chargingLimit.ts';
import { Meter } from '../../src/sim/meter.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MAX_W = 22_000;

function installed(connectorId: number, profile: Partial<ChargingProfile> & Pick<ChargingProfile, 'chargingProfilePurpose'>, periods: [number, number][], unit: 'A' | 'W' = 'W'): InstalledProfile {
  return {
    connectorId,
    receivedAt: T0,
    profile: {
      chargingProfileId: Math.floor(Math.random() * 1e6),
      stackLevel: 0,
      chargingProfileKind: 'Absolute',
      ...profile,
      chargingSchedule: {
        chargingRateUnit: unit,
        chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })),
        ...profile.chargingSchedule,
      },
    },
  };
}

const charging = { connectorId: 1, transactionId: 7, transactionStartedAt: T0 };

describe('the limit in force on a connector (OCPP 1.6 §3.13)', () => {
  it('is the charger\'s own power without profiles', () => {
    expect(limitAt([], charging, T0, MAX_W)).toBe(MAX_W);
  });

  it('converts amperes with numberPhases (default 3) at 230 V', () => {
    expect(limitAt([installed(1, { chargingProfilePurpose: 'TxDefaultProfile' }, [[0, 16]], 'A')], charging, T0, MAX_W)).toBe(16 * 3 * 230);
    const onePhase = installed(1, { chargingProfilePurpose: 'TxDefaultProfile' }, [[0, 16]], 'A');
    onePhase.profile.chargingSchedule.chargingSchedulePeriod[0]!.numberPhases = 1;
    expect(limitAt([onePhase], charging, T0, MAX_W)).toBe(16 * 230);
  });

  it('takes the highest stackLevel per purpose, falling back to a lower one where the higher has no period', () => {
    const base = installed(1, { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 0 }, [[0, 11_000]]);
    const peak = installed(1, { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 2, chargingSchedule: { duration: 600 } as never }, [[0, 4_000]]);
    expect(limitAt([base, peak], charging, T0 + 60_000, MAX_W)).toBe(4_000);
    expect(limitAt([base, peak], charging, T0 + 600_000, MAX_W)).toBe(11_000);
  });

  it('puts a TxProfile over the TxDefaultProfile, capped by the ChargePointMaxProfile', () => {
    const txDefault = installed(0, { chargingProfilePurpose: 'TxDefaultProfile' }, [[0, 3_700]]);
    const tx = installed(1, { chargingProfilePurpose: 'TxProfile', transactionId: 7 }, [[0, 15_000]]);
    const max = installed(0, { chargingProfilePurpose: 'ChargePointMaxProfile' }, [[0, 11_000]]);
    expect(limitAt([txDefault], charging, T0, MAX_W)).toBe(3_700);
    expect(limitAt([txDefault, tx], charging, T0, MAX_W)).toBe(15_000);
    expect(limitAt([txDefault, tx, max], charging, T0, MAX_W)).toBe(11_000);
    // Another transaction, or none: the TxProfile does not apply.
    expect(limitAt([txDefault, tx], { ...charging, transactionId: 8 }, T0, MAX_W)).toBe(3_700);
    expect(limitAt([txDefault, tx], { connectorId: 1 }, T0, MAX_W)).toBe(3_700);
  });

  it('prefers a TxDefaultProfile of the connector to one of connector 0', () => {
    const all = installed(0, { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 5 }, [[0, 3_700]]);
    const own = installed(1, { chargingProfilePurpose: 'TxDefaultProfile' }, [[0, 7_400]]);
    expect(limitAt([all, own], charging, T0, MAX_W)).toBe(7_400);
    expect(limitAt([all, own], { connectorId: 2 }, T0, MAX_W)).toBe(3_700);
  });

  it('honours validFrom and validTo', () => {
    const p = installed(1, { chargingProfilePurpose: 'TxDefaultProfile', validFrom: new Date(T0 + 60_000).toISOString(), validTo: new Date(T0 + 120_000).toISOString() }, [[0, 5_000]]);
    expect(limitAt([p], charging, T0, MAX_W)).toBe(MAX_W);
    expect(limitAt([p], charging, T0 + 90_000, MAX_W)).toBe(5_000);
    expect(limitAt([p], charging, T0 + 120_000, MAX_W)).toBe(MAX_W);
  });

  it('runs a Relative schedule from the transaction\'s start and an Absolute one from startSchedule', () => {
    const relative = installed(1, { chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative' }, [[0, 11_000], [3600, 6_000]]);
    expect(limitAt([relative], { ...charging, transactionStartedAt: T0 - 3_600_000 }, T0, MAX_W)).toBe(6_000);
    expect(limitAt([relative], charging, T0, MAX_W)).toBe(11_000);
    const absolute = installed(1, { chargingProfilePurpose: 'TxDefaultProfile', chargingSchedule: { startSchedule: new Date(T0 - 1_800_000).toISOString() } as never }, [[0, 11_000], [1800, 6_000]]);
    expect(limitAt([absolute], charging, T0, MAX_W)).toBe(6_000);
    expect(limitAt([absolute], charging, T0 - 1_000, MAX_W)).toBe(11_000);
  });

  it('repeats a Daily Recurring schedule every day from its startSchedule', () => {
    const nights = installed(0, {
      chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Recurring', recurrencyKind: 'Daily',
      chargingSchedule: { startSchedule: '2026-01-01T00:00:00Z' } as never,
    }, [[0, 22_000], [8 * 3600, 7_000], [20 * 3600, 22_000]]);
    expect(limitAt([nights], charging, Date.parse('2026-03-02T07:59:59Z'), MAX_W)).toBe(22_000);
    expect(limitAt([nights], charging, Date.parse('2026-03-02T12:00:00Z'), MAX_W)).toBe(7_000);
    expect(limitAt([nights], charging, Date.parse('2026-03-03T21:00:00Z'), MAX_W)).toBe(22_000);
  });
});

describe('the limit over time', () => {
  const stepped = installed(1, { chargingProfilePurpose: 'TxDefaultProfile', chargingSchedule: { startSchedule: new Date(T0).toISOString(), duration: 1200 } as never }, [[0, 11_000], [600, 3_700]]);

  it('is cut where a period, the schedule or a validity ends', () => {
    expect(limitSegments([stepped], charging, T0 - 60_000, T0 + 1_800_000, MAX_W)).toEqual([
      { start: T0 - 60_000, limitW: MAX_W },
      { start: T0, limitW: 11_000 },
      { start: T0 + 600_000, limitW: 3_700 },
      { start: T0 + 1_200_000, limitW: MAX_W },
    ]);
  });

  it('is reported as a composite schedule in W or in A for three phases', () => {
    expect(compositeSchedule([stepped], charging, T0, 900, 'W', MAX_W)).toEqual({
      duration: 900, startSchedule: new Date(T0).toISOString(), chargingRateUnit: 'W',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 11_000 }, { startPeriod: 600, limit: 3_700 }],
    });
    expect(compositeSchedule([stepped], charging, T0, 900, 'A', MAX_W).chargingSchedulePeriod).toEqual([
      { startPeriod: 0, limit: 15.9, numberPhases: 3 }, { startPeriod: 600, limit: 5.3, numberPhases: 3 },
    ]);
  });

  it('drives a meter: energy grows at the limited power', () => {
    const meter = new Meter(0, MAX_W, 1_000_000);
    meter.limitBy((from, to) => limitSegments([stepped], charging, from, to, Infinity), T0);
    meter.startCharging(T0);
    expect(meter.read(T0 + 1).powerW).toBe(11_000);
    // 10 minutes at 11 kW, then 10 at 3.7 kW, then 10 at the charger's 22 kW.
    const reading = meter.read(T0 + 1_800_000);
    expect(reading.registerWh).toBe(Math.round((11_000 + 3_700 + 22_000) / 6));
    expect(meter.read(T0 + 1_800_000).powerW).toBe(MAX_W);
  });
});
