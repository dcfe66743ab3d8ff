import { describe, expect, it } from 'vitest';
import { amountFor, energyPerHour, hoursOf, priceOf, roundToTotal, type PricingInput } from '../../src/domain/sessions/price.ts';
import { tariffRange } from '../../src/domain/tariffs.ts';

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

describe('öre for energy', () => {
  it('is Wh × öre/kWh ÷ 1000, rounded half up to the whole öre', () => {
    expect(amountFor(1000, 250)).toBe(250);
    expect(amountFor(12_345, 250)).toBe(3086); // 3086.25
    expect(amountFor(1_500, 3)).toBe(5); // 4.5
    expect(amountFor(2_500, 1)).toBe(3); // 2.5: half up, not to even
    expect(amountFor(500, 1)).toBe(1);
    expect(amountFor(499, 1)).toBe(0);
  });

  it('is nothing for no energy or a free price', () => {
    expect(amountFor(0, 999)).toBe(0);
    expect(amountFor(80_000, 0)).toBe(0);
  });

  it('is exact for a large session at a high price', () => {
    expect(amountFor(5_000_000, 10_000)).toBe(50_000_000);
  });
});

describe('spreading energy over hours', () => {
  it('splits a reading interval linearly at the hour boundary', () => {
    expect(energyPerHour([{ at: base, wh: 0 }, { at: base + 2 * HOUR, wh: 1000 }])).toEqual(new Map([[base, 500], [base + HOUR, 500]]));
  });

  it('adds nothing for a register that went down (a meter glitch), and counts only the rise above the highest reading after it', () => {
    const perHour = energyPerHour([
      { at: base, wh: 0 }, { at: base + 600_000, wh: 1000 }, { at: base + 1_200_000, wh: 500 }, { at: base + 1_800_000, wh: 1200 },
    ]);
    expect(perHour).toEqual(new Map([[base, 1200]]));
  });

  it('puts the energy of readings that go back in time, or are more than a month apart, into the later reading\'s hour', () => {
    expect(energyPerHour([{ at: base + 2 * HOUR, wh: 0 }, { at: base + HOUR + 5, wh: 100 }])).toEqual(new Map([[base + HOUR, 100]]));
    const later = base + 40 * 24 * HOUR + 5;
    expect(energyPerHour([{ at: base, wh: 0 }, { at: later, wh: 100 }])).toEqual(new Map([[base + 40 * 24 * HOUR, 100]]));
  });

  it('rounds to whole Wh that add up exactly to the total, the largest remainders (then the earlier hour) getting the extra Wh', () => {
    expect(roundToTotal(new Map([[0, 0.2], [HOUR, 0.8]]), 1)).toEqual(new Map([[0, 0], [HOUR, 1]]));
    expect(roundToTotal(new Map([[0, 1.5], [HOUR, 1.5]]), 3)).toEqual(new Map([[0, 2], [HOUR, 1]]));
    const thirds = roundToTotal(new Map([[0, 1000 / 3], [HOUR, 1000 / 3], [2 * HOUR, 1000 / 3]]), 1000);
    expect([...thirds.values()]).toEqual([334, 333, 333]);
  });
});

describe('session prices, more cases', () => {
  it('prices a session inside one hour in one line', () => {
    const price = priceOf(input({ startedAt: new Date(base + 600_000), stoppedAt: new Date(base + 3_000_000), energyWh: 1234, sitePriceOre: 200 }), new Map());
    expect(price).toEqual({ totalOre: 247, lines: [{ hour: new Date(base).toISOString(), energyWh: 1234, pricePerKwhOre: 200, amountOre: 247 }] });
  });

  it('does not open the next hour for a stop exactly on the hour', () => {
    expect(hoursOf(input({ startedAt: new Date(base), stoppedAt: new Date(base + HOUR) }))).toEqual([base]);
    expect(hoursOf(input({ startedAt: new Date(base), stoppedAt: new Date(base + 2 * HOUR) }))).toEqual([base, base + HOUR]);
  });

  it('gives the odd Wh of an even spread to the earlier hour, and the hours sum to the session\'s energy', () => {
    const price = priceOf(input({ startedAt: new Date(base), stoppedAt: new Date(base + 2 * HOUR), energyWh: 3001 }), new Map());
    expect(price.lines.map((line) => line.energyWh)).toEqual([1501, 1500]);
  });

  it('rounds each hour on its own, and the total is the sum of the lines', () => {
    // 500 Wh in each of two hours at 1 öre/kWh: 0.5 öre each, rounded up to 1 öre each.
    const price = priceOf(input({ startedAt: new Date(base), stoppedAt: new Date(base + 2 * HOUR), energyWh: 1000, sitePriceOre: 1 }), new Map());
    expect(price.lines.map((line) => line.amountOre)).toEqual([1, 1]);
    expect(price.totalOre).toBe(2);
  });

  it('uses the site price alone in an hour without an electricity tariff', () => {
    const price = priceOf(input({ startedAt: new Date(base), stoppedAt: new Date(base + 2 * HOUR), energyWh: 2000 }), new Map([[base + HOUR, 80]]));
    expect(price.lines.map((line) => line.pricePerKwhOre)).toEqual([100, 180]);
    expect(price.totalOre).toBe(100 + 180);
  });

  it('ignores tariffs of hours the session did not charge in', () => {
    expect(priceOf(input({}), new Map([[base - HOUR, 10_000], [base + 5 * HOUR, 10_000]])).totalOre).toBe(300);
  });

  it('shapes the hours only by readings inside the session', () => {
    const price = priceOf(input({ readings: [{ at: base, wh: 4000 }, { at: base + 2 * HOUR, wh: 1000 }] }), new Map());
    expect(price.lines.map((line) => line.energyWh)).toEqual([1500, 1500]);
  });

  it('lets a reading below the start register add nothing to its hour', () => {
    // The register at the hour boundary reads below the start: the first half hour delivered nothing.
    const price = priceOf(input({ readings: [{ at: base + HOUR, wh: 0 }] }), new Map());
    expect(price.lines.map((line) => [line.hour, line.energyWh])).toEqual([[new Date(base + HOUR).toISOString(), 3000]]);
  });

  it('reads the register from 0 when the start register is unknown', () => {
    const price = priceOf(input({ meterStartWh: null, energyWh: 1000, readings: [{ at: base + HOUR, wh: 400 }] }), new Map());
    expect(price.lines.map((line) => line.energyWh)).toEqual([400, 600]);
  });

  it('puts everything into the stop\'s hour when the start time is unknown', () => {
    const price = priceOf(input({ startedAt: null }), new Map());
    expect(price.lines).toEqual([{ hour: new Date(base + HOUR).toISOString(), energyWh: 3000, pricePerKwhOre: 100, amountOre: 300 }]);
  });

  it('costs nothing when nothing was delivered', () => {
    const price = priceOf(input({ energyWh: 0, feeOre: 500 }), new Map([[base, 100]]));
    expect(price.totalOre).toBe(0);
    expect(price.lines.every((line) => line.amountOre === 0 && line.energyWh === 0)).toBe(true);
  });

  it('dates the fee at the start of the session and counts it in the total', () => {
    const price = priceOf(input({ feeOre: 500 }), new Map());
    expect(price.lines.at(-1)).toEqual({ kind: 'fee', hour: new Date(base + HOUR / 2).toISOString(), energyWh: 0, pricePerKwhOre: 0, amountOre: 500 });
    expect(price.totalOre).toBe(300 + 500);
  });

  it('still bills 5 MWh, the most a session may plausibly take', () => {
    const price = priceOf(input({ energyWh: 5_000_000, startedAt: new Date(base), stoppedAt: new Date(base + HOUR) }), new Map());
    expect(price.implausible).toBeUndefined();
    expect(price.totalOre).toBe(500_000);
    expect(priceOf(input({ energyWh: 5_000_001 }), new Map())).toMatchObject({ totalOre: 0, implausible: true });
  });
});

describe('tariff periods', () => {
  it('gives one price for each whole hour of [from, to), starting at the hour that holds from', () => {
    const tariffs = tariffRange(new Date(base + HOUR / 2), new Date(base + 3 * HOUR), 125);
    expect(tariffs).toEqual([0, 1, 2].map((i) => ({ startsAt: new Date(base + i * HOUR), pricePerKwhOre: 125, currency: 'SEK' })));
  });

  it('gives nothing for an empty range', () => {
    expect(tariffRange(new Date(base), new Date(base), 125)).toEqual([]);
  });

  it('covers at most two years', () => {
    expect(() => tariffRange(new Date(base), new Date(base + 3 * 366 * 24 * HOUR), 1)).toThrow(expect.objectContaining({ kind: 'invalid', codes: ['invalidRange'] }));
    expect(tariffRange(new Date(base), new Date(base + 365 * 24 * HOUR), 1)).toHaveLength(365 * 24);
  });
});
