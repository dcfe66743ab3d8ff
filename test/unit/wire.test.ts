import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../src/cluster/wire.ts';

const roundTrip = (value: unknown) => decodeWire(encodeWire(value));

describe('the wire format between nodes', () => {
  it('keeps Dates as Dates, at any depth, to the millisecond', () => {
    const at = new Date('2026-03-01T12:34:56.789Z');
    const back = roundTrip({ at, nested: { list: [at, { at }] } }) as { at: Date; nested: { list: [Date, { at: Date }] } };
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.getTime()).toBe(at.getTime());
    expect(back.nested.list[0]).toEqual(at);
    expect(back.nested.list[1].at).toEqual(at);
  });

  it('keeps a Date at the top level', () => {
    const at = new Date('2026-03-01T00:00:00.000Z');
    expect(roundTrip(at)).toEqual(at);
  });

  it('leaves plain JSON values as they are, ISO strings included', () => {
    const value = { text: '2026-03-01T12:34:56.789Z', n: 1.5, flag: false, none: null, list: [1, 'a'], empty: {} };
    expect(roundTrip(value)).toEqual(value);
  });

  it('reads an object with other keys beside $date as a plain object', () => {
    const value = { $date: '2026-03-01T00:00:00.000Z', other: 1 };
    expect(roundTrip(value)).toEqual(value);
  });

  it('writes an invalid Date as null, as JSON does', () => {
    expect(roundTrip({ at: new Date(Number.NaN) })).toEqual({ at: null });
  });

  it('drops undefined fields, as JSON does', () => {
    expect(roundTrip({ a: 1, b: undefined })).toEqual({ a: 1 });
  });
});
