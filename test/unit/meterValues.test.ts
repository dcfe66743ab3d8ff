import { describe, expect, it } from 'vitest';
import { latestReading, normalizedValue, toSamples, type ReportedSample } from '../../src/domain/meterValues.ts';

const sample = (raw: string, extra: Partial<ReportedSample> = {}): ReportedSample => ({
  raw, context: 'Sample.Periodic', format: null, measurand: 'Energy.Active.Import.Register', phase: null, location: null, unit: null, ...extra,
});

describe('meter values', () => {
  it('normalises decimal text to the base unit and refuses what no meter means', () => {
    expect(normalizedValue(sample('12.5', { unit: 'kWh' }))).toBe(12500);
    expect(normalizedValue(sample('7.4', { unit: 'kW' }))).toBeCloseTo(7400);
    expect(normalizedValue(sample('298.15', { unit: 'K' }))).toBeCloseTo(25);
    expect(normalizedValue(sample('-0.5'))).toBe(-0.5);
    expect(normalizedValue(sample('1e3'))).toBe(1000);
    for (const junk of ['0x10', '1e400', 'Infinity', 'NaN', '', 'abc', '1,5', ' 12 ']) expect(normalizedValue(sample(junk))).toBeNull();
    expect(normalizedValue(sample('12', { format: 'SignedData' }))).toBeNull();
  });

  it('takes the newest totals, never a per-phase value as the total', () => {
    const reading = latestReading([
      { sampledAt: new Date(2000), samples: [sample('5000'), sample('40', { measurand: 'SoC' })] },
      { sampledAt: new Date(1000), samples: [sample('9999')] },
      { sampledAt: new Date(3000), samples: [sample('300', { phase: 'L1' }), sample('7.2', { measurand: 'Power.Active.Import', unit: 'kW' })] },
    ]);
    expect(reading).toEqual({ sampledAt: new Date(3000), registerWh: 5000, socPercent: 40, powerW: 7200 });
  });

  it('stores every sample with its raw text and unit', () => {
    expect(toSamples([{ sampledAt: new Date(0), samples: [sample('1.5', { unit: 'kWh', phase: 'L2' }), sample('junk')] }])).toEqual([
      ['1970-01-01T00:00:00.000Z', 'Energy.Active.Import.Register', 'L2', null, 'Sample.Periodic', 1500, '1.5', 'kWh'],
      ['1970-01-01T00:00:00.000Z', 'Energy.Active.Import.Register', null, null, 'Sample.Periodic', null, 'junk', null],
    ]);
  });
});
