import { describe, expect, it } from 'vitest';
import { SEED_CHARGE_POINTS, SEED_CHARGERS, sampleTariffs } from '../../src/db/seedData.ts';

describe('seed data', () => {
  it('has the original ten chargers on the original four sites', () => {
    expect(SEED_CHARGERS.map((c) => c.id)).toEqual([...Array(10).keys()].map((i) => 100000 + i));
    const siteIds = new Set(SEED_CHARGE_POINTS.map((site) => site.id));
    for (const charger of SEED_CHARGERS) expect(siteIds.has(charger.chargePointId)).toBe(true);
    for (const site of SEED_CHARGE_POINTS) expect(Number.isInteger(site.pricePerKwhOre)).toBe(true);
  });

  it('makes one positive integer öre price per whole UTC hour in the range', () => {
    const from = new Date('2026-03-28T22:30:00Z');
    const to = new Date('2026-03-30T03:00:00Z');
    const tariffs = sampleTariffs(from, to);
    expect(tariffs[0]!.startsAt.toISOString()).toBe('2026-03-28T22:00:00.000Z');
    expect(tariffs.at(-1)!.startsAt.toISOString()).toBe('2026-03-30T02:00:00.000Z');
    expect(tariffs).toHaveLength(29);
    for (let i = 1; i < tariffs.length; i++) expect(tariffs[i]!.startsAt.getTime() - tariffs[i - 1]!.startsAt.getTime()).toBe(3_600_000);
    for (const tariff of tariffs) {
      expect(Number.isInteger(tariff.priceOre)).toBe(true);
      expect(tariff.priceOre).toBeGreaterThan(0);
    }
  });

  it('prices evening peaks above nights', () => {
    const day = sampleTariffs(new Date('2026-11-18T00:00:00Z'), new Date('2026-11-19T00:00:00Z'));
    const at = (utcHour: number) => day[utcHour]!.priceOre;
    expect(at(16)).toBeGreaterThan(at(2));
  });
});
