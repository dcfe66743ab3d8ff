import { describe, expect, it } from 'vitest';
import { parseIsoTimestamp, toIsoTimestamp } from '../../src/ocpp/dialect/timestamps.ts';
import { readTime } from '../../src/ocpp/handlers/fields.ts';
import { recoverMessageId } from '../../src/ocpp/protocol/frames.ts';
import { checkRequest } from '../../src/ocpp/protocol/schemas.ts';
import { identityFromPath } from '../../src/ocpp/admission.ts';

function read(value: unknown, fallback: Date) {
  const flags: string[] = [];
  return { at: readTime(value, fallback, flags).toISOString(), flags };
}
const fallback = new Date('2026-11-29T12:00:00Z');
const refused = { at: fallback.toISOString(), flags: ['invalidTimestamp'] };

/** Runs `body` with the process in time zone `tz` (Node rereads TZ when it is set). */
function inZone<T>(tz: string, body: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

describe('defects found by the unit-test review', () => {
  it('D1 reads a zone-less timestamp the same whatever the server time zone (OCPP times are UTC)', () => {
    inZone('Europe/Stockholm', () => {
      const result = read('2026-06-01T12:00:00', fallback);
      expect(result.flags.length > 0 || result.at === '2026-06-01T12:00:00.000Z').toBe(true);
      expect(result.at).not.toBe('2026-06-01T10:00:00.000Z');
    });
  });

  it('D2 takes no non-ISO text as a timestamp', () => {
    for (const text of ['1', '12', '2024', 'Tue, 01 May 2024 12:00:00 GMT']) {
      expect(toIsoTimestamp(text)).toBeUndefined();
      expect(read(text, fallback)).toEqual(refused);
    }
  });

  it('D3 takes no impossible calendar date', () => {
    for (const text of ['2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z']) {
      expect(toIsoTimestamp(text)).toBeUndefined();
      expect(read(text, fallback)).toEqual(refused);
    }
  });

  it('D4 admits no identity with a NUL or a colon', () => {
    expect(identityFromPath('/charger/%00')).toBeUndefined();
    expect(identityFromPath('/charger/abc%00def')).toBeUndefined();
    expect(identityFromPath('/charger/a%3Ab')).toBeUndefined();
  });

  it('D5 recovers an escaped id as the id the peer meant', () => {
    expect(recoverMessageId('[2,"a\\"b","Heartbeat",{')).toBe('a"b');
    expect(recoverMessageId('[2,"\\u0041BC","Heartbeat",{')).toBe('ABC');
  });
});

describe('zone-less timestamps (D1): refused, in every server time zone', () => {
  it('gives the time of arrival, flagged, in UTC, Stockholm and New York alike', () => {
    // The switch of zone takes effect: Date itself reads zone-less text as local time.
    expect(inZone('Europe/Stockholm', () => new Date('2026-06-01T12:00:00').toISOString())).toBe('2026-06-01T10:00:00.000Z');
    for (const tz of ['UTC', 'Europe/Stockholm', 'America/New_York', 'Asia/Kolkata']) {
      inZone(tz, () => {
        expect(read('2026-06-01T12:00:00', fallback)).toEqual(refused);
        expect(read('2026-06-01T12:00:00.250', fallback)).toEqual(refused);
        expect(toIsoTimestamp('2026-06-01T12:00:00')).toBeUndefined();
      });
    }
  });

  it('reads timestamps with a zone the same in every server time zone', () => {
    for (const tz of ['UTC', 'Europe/Stockholm', 'America/New_York', 'Pacific/Chatham']) {
      inZone(tz, () => {
        expect(read('2026-06-01T12:00:00Z', fallback)).toEqual({ at: '2026-06-01T12:00:00.000Z', flags: [] });
        expect(read('2026-06-01T12:00:00+02:00', fallback)).toEqual({ at: '2026-06-01T10:00:00.000Z', flags: [] });
        expect(read('0099-06-01T12:00:00Z', fallback)).toEqual({ at: '0099-06-01T12:00:00.000Z', flags: [] });
      });
    }
  });

  it('leaves numeric FlexiCharge timestamps (seconds, ms, µs) as they were', () => {
    inZone('Europe/Stockholm', () => {
      expect(toIsoTimestamp(1795236128.224635)).toBe('2026-11-21T04:42:08.225Z');
      expect(toIsoTimestamp(1795236129510)).toBe('2026-11-21T04:42:09.510Z');
      expect(toIsoTimestamp(1234512345124123)).toBe('2009-02-13T08:05:45.124Z');
    });
  });
});

describe('strict ISO 8601 / RFC 3339 timestamps (D2, D3)', () => {
  it('reads the RFC 3339 forms, with any offset form the schemas accept', () => {
    const cases: [string, string][] = [
      ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
      ['2026-11-20t10:00:00z', '2026-11-20T10:00:00.000Z'],
      ['2026-11-20 10:00:00Z', '2026-11-20T10:00:00.000Z'],
      ['2026-11-20T12:00:00+02:00', '2026-11-20T10:00:00.000Z'],
      ['2026-11-20T12:00:00+0200', '2026-11-20T10:00:00.000Z'],
      ['2026-11-20T12:00:00+02', '2026-11-20T10:00:00.000Z'],
      ['2026-11-20T05:30:00-05:30', '2026-11-20T11:00:00.000Z'],
      ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
      ['2026-11-20T10:00:00.5Z', '2026-11-20T10:00:00.500Z'],
      ['2026-11-20T10:00:00.123999Z', '2026-11-20T10:00:00.123Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
      ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ];
    for (const [text, at] of cases) {
      expect(parseIsoTimestamp(text)?.toISOString()).toBe(at);
      expect(toIsoTimestamp(text)).toBe(text);
    }
  });

  it('refuses other text, times that do not exist and dates that are not in the calendar', () => {
    for (const text of [
      '', ' ', '1', '12', '2024', '2024-05', '2026-11-20', '2026-11-20T10:00Z', 'NaN', 'yesterday', 'Tue, 01 May 2024 12:00:00 GMT',
      '2026-11-20T10:00:00,5Z', ' 2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z ', '2026-11-20T10:00:00 Z', '2026-11-20T10:00:00.Z',
      '+002026-11-20T10:00:00Z', '26-11-20T10:00:00Z', '2026-1-20T10:00:00Z', '2026-11-20T10:00:00UTC', '2026-11-20T10:00:00GMT+1',
      '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-06-31T00:00:00Z', '2026-00-10T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-00T00:00:00Z', '2026-11-32T00:00:00Z',
      '2026-11-20T24:00:00Z', '2026-11-20T10:60:00Z', '2026-11-20T10:00:60Z', '2016-12-31T23:59:60Z', '2026-11-20T10:00:00+24:00', '2026-11-20T10:00:00+01:60',
    ]) {
      expect(parseIsoTimestamp(text), text).toBeUndefined();
      expect(toIsoTimestamp(text), text).toBeUndefined();
      expect(read(text, fallback), text).toEqual(refused);
    }
  });

  it('reads a timestamp exactly when the schemas\' date-time format takes it (leap seconds aside, which no Date holds)', () => {
    const status = { connectorId: 1, errorCode: 'NoError', status: 'Available' };
    for (const text of [
      '2026-11-20T10:00:00Z', '2026-11-20t10:00:00.1z', '2026-11-20 10:00:00+01:00', '2026-11-20T10:00:00-0130', '2026-11-20T10:00:00+05',
      '2026-11-20T10:00:00', '2026-02-30T10:00:00Z', '2024-02-29T10:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20', '1', 'Tue, 01 May 2024 12:00:00 GMT',
    ]) {
      const schemaTakes = checkRequest('StatusNotification', { ...status, timestamp: text }) === undefined;
      expect(parseIsoTimestamp(text) !== undefined, text).toBe(schemaTakes);
    }
  });
});

describe('charger identities (D4, ocpp-j-rules §1.1)', () => {
  it('refuses a colon, written or percent-encoded', () => {
    for (const path of ['/charger/a:b', '/charger/a%3ab', '/charger/%3A', '/charger/abc119:']) expect(identityFromPath(path), path).toBeUndefined();
  });

  it('refuses control characters (C0, DEL, C1)', () => {
    for (const code of ['%01', '%09', '%0A', '%0D', '%1B', '%1F', '%7F', '%C2%80', '%C2%85', '%C2%9F']) {
      expect(identityFromPath(`/charger/abc${code}119`), code).toBeUndefined();
    }
  });

  it('still admits ordinary identities', () => {
    expect(identityFromPath('/charger/abc119')).toBe('abc119');
    expect(identityFromPath('/charger/testchargeralwaysconnected')).toBe('testchargeralwaysconnected');
    expect(identityFromPath('/ocpp/cs/CP-0001')).toBe('CP-0001');
    expect(identityFromPath('/charger/Laddare%20%C3%85')).toBe('Laddare Å');
    expect(identityFromPath('/charger/a.b_c~d%C2%A0e')).toBe('a.b_c~d\u00a0e');
  });
});

describe('recovering an escaped message id (D5)', () => {
  it('decodes every JSON escape', () => {
    expect(recoverMessageId('[2,"a\\\\b",')).toBe('a\\b');
    expect(recoverMessageId('[2,"a\\/b\\tc",')).toBe('a/b\tc');
    expect(recoverMessageId('[2,"\\u00e5\\u00C5",')).toBe('åÅ');
    expect(recoverMessageId('[3, "\\"quoted\\"" , {')).toBe('"quoted"');
  });

  it('takes an id of 128 characters however it is written, and none longer', () => {
    expect(recoverMessageId(`[2,"${'\\u0041'.repeat(128)}",`)).toBe('A'.repeat(128));
    expect(recoverMessageId(`[2,"${'\\u0041'.repeat(129)}",`)).toBe('-1');
    expect(recoverMessageId(`[2,"${'\\"'.repeat(128)}",`)).toBe('"'.repeat(128));
  });

  it('gives "-1" for a string that is no JSON string', () => {
    for (const text of ['[2,"a\\qb",', '[2,"\\u00G1",', '[2,"\\u00",', '[2,"a\u0001b",', '[2,"",', '[2,"unterminated']) {
      expect(recoverMessageId(text), text).toBe('-1');
    }
  });

  it('keeps the plain and numeric ids it read before', () => {
    expect(recoverMessageId('[2,"abc","Heartbeat",{')).toBe('abc');
    expect(recoverMessageId('[2,"0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v","StartTransaction",{')).toBe('0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v');
    expect(recoverMessageId('[2,-5,"x"')).toBe(-5);
    expect(recoverMessageId(`[2,"${'x'.repeat(129)}",`)).toBe('-1');
  });
});
