import { describe, expect, it } from 'vitest';
import { latestReading, normalizedValue, toSamples, type ReportedSample } from '../../src/domain/meterValues.ts';
import { normalizeRequest } from '../../src/ocpp/dialect/normalize.ts';
import { readMeterValues } from '../../src/ocpp/handlers/fields.ts';
import { checkRequest } from '../../src/ocpp/protocol/schemas.ts';

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

describe('units', () => {
  it('takes a value without a unit as Wh, the 1.6 default, and base units as they are', () => {
    expect(normalizedValue(sample('1500'))).toBe(1500);
    for (const unit of ['Wh', 'W', 'varh', 'var', 'VA', 'A', 'V', 'Percent', 'Celsius', 'Celcius']) expect(normalizedValue(sample('42.5', { unit }))).toBe(42.5);
  });

  it('scales every kilo unit by 1000', () => {
    for (const unit of ['kWh', 'kW', 'kvarh', 'kvar', 'kVA']) expect(normalizedValue(sample('2.5', { unit }))).toBe(2500);
  });

  it('converts Kelvin and Fahrenheit to °C', () => {
    expect(normalizedValue(sample('273.15', { unit: 'K' }))).toBeCloseTo(0);
    expect(normalizedValue(sample('212', { unit: 'Fahrenheit' }))).toBeCloseTo(100);
    expect(normalizedValue(sample('-40', { unit: 'Fahrenheit' }))).toBeCloseTo(-40);
  });

  it('accepts both spellings of Celsius in a MeterValues (the schema\'s own typo)', () => {
    for (const unit of ['Celsius', 'Celcius']) {
      const payload = { connectorId: 1, meterValue: [{ timestamp: '2026-11-20T10:00:00Z', sampledValue: [{ value: '21.5', measurand: 'Temperature', unit }] }] };
      expect(checkRequest('MeterValues', payload)).toBeUndefined();
    }
  });

  it('reads a kWh value beyond what fits a finite number after scaling as nothing', () => {
    expect(normalizedValue(sample('1e306', { unit: 'kWh' }))).toBeNull();
  });
});

describe('decimal text', () => {
  it('takes signs, leading or trailing points and exponents', () => {
    expect(normalizedValue(sample('+5'))).toBe(5);
    expect(normalizedValue(sample('.5'))).toBe(0.5);
    expect(normalizedValue(sample('5.'))).toBe(5);
    expect(normalizedValue(sample('-.5e1'))).toBe(-5);
    expect(normalizedValue(sample('0007'))).toBe(7);
    expect(normalizedValue(sample('1.5E-3', { unit: 'kWh' }))).toBeCloseTo(1.5);
  });

  it('refuses text that is not one plain decimal number', () => {
    for (const junk of ['.', '+', '-', 'e5', '1e', '1.2.3', '1 000', '١٢', '0b1', '12Wh', '\t12']) expect(normalizedValue(sample(junk))).toBeNull();
  });
});

describe('a session reading from meter values', () => {
  const at = (ms: number, ...samples: ReportedSample[]) => ({ sampledAt: new Date(ms), samples });

  it('is nothing without meter values', () => {
    expect(latestReading([])).toBeUndefined();
  });

  it('uses Energy.Active.Import.Register as the energy, never the .Interval or export readings', () => {
    const reading = latestReading([at(1000,
      sample('300', { measurand: 'Energy.Active.Import.Interval' }),
      sample('800', { measurand: 'Energy.Active.Export.Register' }),
      sample('12.5', { unit: 'kWh' }),
    )]);
    expect(reading).toEqual({ sampledAt: new Date(1000), registerWh: 12_500 });
  });

  it('never counts an implausible register (negative, or beyond 2^53 Wh) as the session\'s energy', () => {
    expect(latestReading([at(1000, sample('-5'), sample('55', { measurand: 'SoC' }))])).toEqual({ sampledAt: new Date(1000), socPercent: 55 });
    expect(latestReading([at(1000, sample('1e16'))])).toEqual({ sampledAt: new Date(1000) });
    expect(latestReading([at(1000, sample('9007199254740991'))])?.registerWh).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('keeps the last good register when a newer one is implausible', () => {
    expect(latestReading([at(1000, sample('500')), at(2000, sample('-1'))])).toEqual({ sampledAt: new Date(2000), registerWh: 500 });
  });

  it('skips signed data and junk values', () => {
    expect(latestReading([at(1000, sample('100')), at(2000, sample('AbCd==', { format: 'SignedData' }), sample('n/a'))])).toEqual({ sampledAt: new Date(2000), registerWh: 100 });
  });

  it('ignores every phased value, whatever the phase', () => {
    for (const phase of ['L1', 'L2', 'L3', 'N', 'L1-N', 'L1-L2']) {
      expect(latestReading([at(1000, sample('700', { phase }), sample('3.7', { measurand: 'Power.Active.Import', unit: 'kW', phase }))])).toEqual({ sampledAt: new Date(1000) });
    }
  });

  it('lets the later of two meter values with the same time win', () => {
    expect(latestReading([at(1000, sample('100')), at(1000, sample('200'))])?.registerWh).toBe(200);
  });

  it('keeps an earlier state of charge when the newest meter value has none', () => {
    expect(latestReading([at(1000, sample('40', { measurand: 'SoC', unit: 'Percent' })), at(2000, sample('900'))])).toEqual({ sampledAt: new Date(2000), registerWh: 900, socPercent: 40 });
  });

  it('reads the FlexiCharge charger\'s values object as register, power and state of charge', () => {
    const { payload } = normalizeRequest('MeterValues', {
      connectorId: 1, transactionId: 1, timestamp: 1795236129510,
      values: {
        chargingPercent: { value: 42, unit: '%', measurand: 'SoC' },
        chargingPower: { value: 7400, unit: 'W', measurand: 'Power.Active,Import' },
        chargedSoFar: { value: 5300, unit: 'Wh', measurand: 'Energy.Active.Import' },
      },
    });
    const read = readMeterValues(payload.meterValue, new Date(0));
    expect(latestReading(read)).toEqual({ sampledAt: new Date(1795236129510), registerWh: 5300, powerW: 7400, socPercent: 42 });
  });

  it('reads numeric sampled values of a drifting standard charger like their text', () => {
    const { payload } = normalizeRequest('MeterValues', {
      connectorId: 1, meterValue: [{ timestamp: '2026-11-20T10:00:00Z', sampledValue: [{ value: 1.25, unit: 'kWh' }, { value: 11, measurand: 'Current.Import', unit: 'A' }] }],
    });
    const read = readMeterValues(payload.meterValue, new Date(0));
    expect(toSamples(read).map(([, measurand, , , , value, raw]) => [measurand, value, raw])).toEqual([
      ['Energy.Active.Import.Register', 1250, '1.25'],
      ['Current.Import', 11, '11'],
    ]);
  });

  it('keeps a sample\'s context and location as sent', () => {
    const [meterValue] = readMeterValues([{ timestamp: '2026-11-20T10:00:00Z', sampledValue: [{ value: '10', context: 'Transaction.End', location: 'Inlet' }] }], new Date(0));
    expect(meterValue!.samples[0]).toMatchObject({ context: 'Transaction.End', location: 'Inlet', measurand: 'Energy.Active.Import.Register' });
  });
});
