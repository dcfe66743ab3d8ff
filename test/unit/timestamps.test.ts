import { describe, expect, it } from 'vitest';
import { toIsoTimestamp } from '../../src/ocpp/dialect/timestamps.ts';
import { normalizeRequest } from '../../src/ocpp/dialect/normalize.ts';
import { readTime } from '../../src/ocpp/handlers/fields.ts';
import { checkRequest } from '../../src/ocpp/protocol/schemas.ts';

const iso = (...parts: [number, number, number, number, number, number, number]) => new Date(Date.UTC(...parts)).toISOString();

/** readTime with the flags it raised. */
function read(value: unknown, fallback = new Date('2026-11-29T12:00:00Z')) {
  const flags: string[] = [];
  return { at: readTime(value, fallback, flags).toISOString(), flags };
}

describe('numeric FlexiCharge timestamps, told apart by magnitude (clients.md A.3)', () => {
  it('reads float Unix seconds (Start/StopTransaction), keeping the milliseconds', () => {
    expect(toIsoTimestamp(1795236128.224635)).toBe(iso(2026, 10, 21, 4, 42, 8, 225));
    expect(toIsoTimestamp(1795236128)).toBe(iso(2026, 10, 21, 4, 42, 8, 0));
  });

  it('reads integer milliseconds (MeterValues, the backend docs\' sample)', () => {
    expect(toIsoTimestamp(1795236129510)).toBe(iso(2026, 10, 21, 4, 42, 9, 510));
    expect(toIsoTimestamp(1664957184974)).toBe(iso(2022, 9, 5, 8, 6, 24, 974));
  });

  it('reads the cheat sheet\'s 1234512345124123 as microseconds', () => {
    expect(toIsoTimestamp(1234512345124123)).toBe(iso(2009, 1, 13, 8, 5, 45, 124));
  });

  it('switches from seconds to milliseconds at 1e11 and to microseconds at 1e14', () => {
    // Seconds up to 1e11 reach year 5138; milliseconds from 1e11 start in 1973.
    expect(toIsoTimestamp(1e11 - 1)).toBe('5138-11-16T09:46:39.000Z');
    expect(toIsoTimestamp(1e11)).toBe('1973-03-03T09:46:40.000Z');
    expect(toIsoTimestamp(1e14 - 1)).toBe('5138-11-16T09:46:39.999Z');
    expect(toIsoTimestamp(1e14)).toBe('1973-03-03T09:46:40.000Z');
  });

  it('takes 0 as the epoch', () => {
    expect(toIsoTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('refuses negative, non-finite and unrepresentable numbers', () => {
    for (const value of [-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e20, 8.64e18 + 1e6]) expect(toIsoTimestamp(value)).toBeUndefined();
  });

  it('refuses what is no timestamp at all', () => {
    for (const value of [null, undefined, true, {}, [], [1795236128]]) expect(toIsoTimestamp(value)).toBeUndefined();
  });
});

describe('ISO 8601 timestamp strings', () => {
  it('passes valid ISO strings through unchanged (the charger\'s own text is kept)', () => {
    for (const text of ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123456Z', '2026-11-20T12:00:00+02:00']) expect(toIsoTimestamp(text)).toBe(text);
  });

  it('refuses strings that name no time', () => {
    for (const text of ['', 'yesterday', '2024-13-01T00:00:00Z', '2016-12-31T23:59:60Z', 'not-a-date']) expect(toIsoTimestamp(text)).toBeUndefined();
  });

  it('reads a zone offset as UTC', () => {
    expect(read('2026-11-20T12:00:00+02:00')).toEqual({ at: '2026-11-20T10:00:00.000Z', flags: [] });
    expect(read('2026-11-20T05:30:00-05:30')).toEqual({ at: '2026-11-20T11:00:00.000Z', flags: [] });
  });

  it('keeps fractional seconds to the millisecond', () => {
    expect(read('2026-11-20T10:00:00.5Z').at).toBe('2026-11-20T10:00:00.500Z');
    expect(read('2026-11-20T10:00:00.123456Z').at).toBe('2026-11-20T10:00:00.123Z');
  });

  it('takes the first and last years PostgreSQL and plain ISO 8601 both hold', () => {
    expect(read('9999-12-31T23:59:59.999Z')).toEqual({ at: '9999-12-31T23:59:59.999Z', flags: [] });
    expect(read('0001-01-01T00:00:00Z')).toEqual({ at: '0001-01-01T00:00:00.000Z', flags: [] });
  });

  it('replaces years outside 1–9999 by the time of arrival, flagged', () => {
    const fallback = new Date('2026-11-29T12:00:00Z');
    for (const text of ['0000-12-31T23:59:59Z', '+010000-01-01T00:00:00Z']) {
      expect(read(text, fallback)).toEqual({ at: fallback.toISOString(), flags: ['invalidTimestamp'] });
    }
  });

  it('replaces a leap second (which no Date holds) by the time of arrival, flagged', () => {
    expect(read('2016-12-31T23:59:60Z', new Date(0))).toEqual({ at: new Date(0).toISOString(), flags: ['invalidTimestamp'] });
  });

  it('does not read numbers itself: the dialect converts them first', () => {
    expect(read(1795236128, new Date(0)).flags).toEqual(['invalidTimestamp']);
    expect(read(toIsoTimestamp(1795236128), new Date(0))).toEqual({ at: '2026-11-21T04:42:08.000Z', flags: [] });
  });

  it('flags a huge microsecond count whose year does not fit, after the dialect converted it', () => {
    const converted = toIsoTimestamp(8.64e18);
    expect(converted).toBe('+275760-09-13T00:00:00.000Z');
    expect(read(converted, new Date(0)).flags).toEqual(['invalidTimestamp']);
  });
});

describe('timestamps in incoming messages', () => {
  it('converts the message timestamp and every meterValue timestamp', () => {
    const { payload } = normalizeRequest('MeterValues', {
      connectorId: 1, meterValue: [{ timestamp: 1795236129510, sampledValue: [] }, { timestamp: '2026-11-21T04:42:10Z', sampledValue: [] }],
    });
    expect(payload.meterValue).toEqual([
      { timestamp: '2026-11-21T04:42:09.510Z', sampledValue: [] },
      { timestamp: '2026-11-21T04:42:10Z', sampledValue: [] },
    ]);
  });

  it('drops a numeric timestamp that names no time, so the time of arrival stands in', () => {
    const { payload, deviations } = normalizeRequest('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: -5 });
    expect(payload).not.toHaveProperty('timestamp');
    expect(deviations).toContain('numeric timestamp');
    expect(read(payload.timestamp, new Date(0)).flags).toEqual(['invalidTimestamp']);
  });

  it('leaves string timestamps to the schema and the readers', () => {
    const { payload, deviations } = normalizeRequest('StopTransaction', { meterStop: 1, timestamp: 'soon', transactionId: 1 });
    expect(payload.timestamp).toBe('soon');
    expect(deviations).toEqual([]);
  });

  it('refuses a StatusNotification timestamp that is no RFC 3339 date-time (not a transaction message)', () => {
    const status = { connectorId: 1, errorCode: 'NoError', status: 'Available' };
    for (const timestamp of ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123+01:00', '2026-11-20t10:00:00z']) {
      expect(checkRequest('StatusNotification', { ...status, timestamp })).toBeUndefined();
    }
    for (const timestamp of ['2026-11-20T10:00:00', '2026-02-30T10:00:00Z', '2026-11-20', 'yesterday']) {
      expect(checkRequest('StatusNotification', { ...status, timestamp })?.code).toBe('PropertyConstraintViolation');
    }
    expect(checkRequest('StatusNotification', { ...status, timestamp: 1795236128 })?.code).toBe('TypeConstraintViolation');
  });

  it('accepts a FlexiCharge StatusNotification without any timestamp', () => {
    expect(checkRequest('StatusNotification', normalizeRequest('StatusNotification', { connectorId: '1', errorCode: '', status: 'Charging' }).payload)).toBeUndefined();
  });
});
