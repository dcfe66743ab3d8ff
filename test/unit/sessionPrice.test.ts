import { describe, expect, it } from 'vitest';
import { hoursOf, priceOf, type PricingInput } from '../../src/domain/sessionPrice.ts';

const HOUR = 3_600_000;
const base = Date.UTC(2026, 10, 20, 10);

const input = (extra: Partial<PricingInput>): PricingInput => ({
  sessionId: 1, energyWh: 3000, meterStartWh: 1000, startedAt: new Date(base + HOUR / 2), stoppedAt: new Date(base + HOUR + HOUR / 2),
  sitePriceOre: 100, feeOre: 0, readings: [], ...extra,
});

describe('session prices', () => {
  it('spreads energy over the hours by the readings, each hour at site price + tariff, half up to the öre', () => {
    // 1000 Wh in the first half hour, 2000 Wh in the second.
    const session = input({ readings: [{ at: base + HOUR, wh: 2000 }] });
    expect(hoursOf(session)).toEqual([base, base + HOUR]);
    const price = priceOf(session, new Map([[base, 50], [base + HOUR, 150]]));
    expect(price.lines).toEqual([
      { hour: new Date(base).toISOString(), energyWh: 1000, pricePerKwhOre: 150, amountOre: 150 },
      { hour: new Date(base + HOUR).toISOString(), energyWh: 2000, pricePerKwhOre: 250, amountOre: 500 },
    ]);
    expect(price.totalOre).toBe(650);
  });

  it('adds the site fee only when energy was delivered', () => {
    expect(priceOf(input({ feeOre: 500 }), new Map()).lines.at(-1)).toMatchObject({ kind: 'fee', amountOre: 500 });
    expect(priceOf(input({ feeOre: 500, energyWh: 0 }), new Map()).lines.some((line) => line.kind === 'fee')).toBe(false);
  });

  it('does not spread over readings years apart (a charger clock off by centuries)', () => {
    const stoppedAt = new Date(Date.UTC(2255, 0, 1));
    const hours = hoursOf(input({ stoppedAt }));
    expect(hours).toEqual([Math.floor(stoppedAt.getTime() / HOUR) * HOUR]);
    expect(priceOf(input({ stoppedAt }), new Map()).totalOre).toBe(300);
  });
});

describe('implausible sessions', () => {
  it('leaves a session with more energy than any vehicle takes unbilled and says so', () => {
    expect(priceOf(input({ energyWh: 2 ** 52 }), new Map())).toEqual({ totalOre: 0, lines: [], implausible: true });
    expect(hoursOf(input({ energyWh: 2 ** 52 }))).toEqual([]);
  });

  it('never lets a reading beyond the stop register add energy', () => {
    const price = priceOf(input({ readings: [{ at: base + HOUR, wh: 1e300 }] }), new Map());
    expect(price.lines.reduce((sum, line) => sum + line.energyWh, 0)).toBe(3000);
  });
});
