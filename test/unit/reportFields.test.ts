import { describe, expect, it } from 'vitest';
import { readConnectorId, readIdTag, readMeterValues, readRowId, readText, readTime, readWh } from '../../src/ocpp/handlers/fields.ts';

const flagsOf = <T>(read: (flags: string[]) => T) => {
  const flags: string[] = [];
  const value = read(flags);
  return { value, flags };
};

describe('reading transaction message fields', () => {
  it('keeps connector ids a charger can have and flags the rest', () => {
    expect(flagsOf((f) => readConnectorId(2, f))).toEqual({ value: 2, flags: [] });
    expect(flagsOf((f) => readConnectorId(0, f))).toEqual({ value: 0, flags: [] });
    for (const hostile of [2 ** 31, -1, -2147483649, 0.5, 1e300, '1', null]) {
      expect(flagsOf((f) => readConnectorId(hostile, f))).toEqual({ value: null, flags: ['invalidConnectorId'] });
    }
  });

  it('takes row ids only where they can name a row', () => {
    expect(readRowId(42)).toBe(42);
    expect(readRowId(2147483647)).toBe(2147483647);
    for (const hostile of [0, -1, 2147483648, 2 ** 53 + 1, 1e300, 1.5, '7']) expect(readRowId(hostile)).toBeNull();
  });

  it('rounds meter readings and flags negative, non-finite and inexact ones', () => {
    expect(flagsOf((f) => readWh(1234.6, 'invalidMeterStart', f))).toEqual({ value: 1235, flags: [] });
    expect(flagsOf((f) => readWh(Number.MAX_SAFE_INTEGER, 'invalidMeterStart', f)).value).toBe(Number.MAX_SAFE_INTEGER);
    for (const hostile of [-5, 1e300, 2 ** 53 + 2, Number.NaN, '100', undefined]) {
      expect(flagsOf((f) => readWh(hostile, 'invalidMeterStart', f))).toEqual({ value: null, flags: ['invalidMeterStart'] });
    }
  });

  it('reads ISO timestamps PostgreSQL can store; anything else is the fallback, flagged', () => {
    const fallback = new Date('2026-11-29T12:00:00Z');
    expect(flagsOf((f) => readTime('2026-11-20T10:00:00.000Z', fallback, f))).toEqual({ value: new Date('2026-11-20T10:00:00.000Z'), flags: [] });
    for (const hostile of ['+010000-01-01T00:00:00Z', '-271821-04-20T00:00:00Z', 'yesterday', '', 1664957184974, undefined]) {
      expect(flagsOf((f) => readTime(hostile, fallback, f))).toEqual({ value: fallback, flags: ['invalidTimestamp'] });
    }
  });

  it('keeps text without NUL characters and within a length', () => {
    expect(readText('a\u0000b')).toBe('a\uFFFDb');
    expect(readText('x'.repeat(100), 10)).toBe('x'.repeat(10));
    expect(readText(7)).toBeNull();
  });

  it('takes an idTag as a card only when it can be one (CiString20, no control characters)', () => {
    expect(flagsOf((f) => readIdTag('CARD-0042', f))).toEqual({ value: { idTag: 'CARD-0042', idTagUsable: true }, flags: [] });
    expect(flagsOf((f) => readIdTag('CARD\u0000', f))).toEqual({ value: { idTag: 'CARD\uFFFD', idTagUsable: false }, flags: ['invalidIdTag'] });
    expect(flagsOf((f) => readIdTag('x'.repeat(21), f)).value.idTagUsable).toBe(false);
    expect(flagsOf((f) => readIdTag('y'.repeat(500), f)).value.idTag).toHaveLength(64);
    expect(flagsOf((f) => readIdTag(12345, f))).toEqual({ value: { idTag: null, idTagUsable: false }, flags: [] });
  });

  it('reads meter values defensively: junk entries skipped, a reading without a usable time kept at arrival', () => {
    const receivedAt = new Date('2026-11-29T12:00:00Z');
    const read = readMeterValues([
      null, 'x', { sampledValue: 'garbage' },
      { timestamp: 'nope', sampledValue: [{ value: '12' }, null, { value: { nested: true }, measurand: 'SoC' }, { value: 3.5, unit: 'kWh' }] },
    ], receivedAt);
    expect(read).toEqual([{
      sampledAt: receivedAt,
      samples: [
        { raw: '12', context: 'Sample.Periodic', format: null, measurand: 'Energy.Active.Import.Register', phase: null, location: null, unit: null },
        { raw: '', context: 'Sample.Periodic', format: null, measurand: 'SoC', phase: null, location: null, unit: null },
        { raw: '3.5', context: 'Sample.Periodic', format: null, measurand: 'Energy.Active.Import.Register', phase: null, location: null, unit: 'kWh' },
      ],
    }]);
    expect(readMeterValues({ not: 'an array' }, receivedAt)).toEqual([]);
  });
});
