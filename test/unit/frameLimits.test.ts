import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseFrame } from '../../src/ocpp/protocol/frames.ts';
import { unstorable } from '../../src/ocpp/protocol/storable.ts';

describe('frame limits', () => {
  it('cuts what is nested deeper than MAX_DEPTH, without recursion, and says so', () => {
    const depth = 200_000;
    const frame = parseFrame(`[2,"id","DataTransfer",{"vendorId":"x","data":${'['.repeat(depth)}${']'.repeat(depth)}}]`);
    expect(frame).toMatchObject({ type: 2, id: 'id', action: 'DataTransfer', pruned: true });
    // Now small enough for anything recursive.
    expect(() => JSON.stringify(frame)).not.toThrow();
    const shallow = parseFrame(JSON.stringify([2, 'id', 'Heartbeat', { a: { b: [[1]] } }]));
    expect(shallow).toMatchObject({ pruned: false, payload: { a: { b: [[1]] } } });
  });

  it('keeps exactly MAX_DEPTH levels', () => {
    // The frame array is level 1 and the payload level 2.
    let nested: unknown = 'leaf';
    for (let level = 0; level < MAX_DEPTH - 2; level++) nested = [nested];
    expect(parseFrame(JSON.stringify([2, 'id', 'DataTransfer', { data: nested }]))).toMatchObject({ pruned: false });
    expect(parseFrame(JSON.stringify([2, 'id', 'DataTransfer', { data: [nested] }]))).toMatchObject({ pruned: true });
  });

  it('names integers beyond int32 and NUL characters the data model cannot hold', () => {
    expect(unstorable({ connectorId: 2147483647, info: 'fine' })).toBeUndefined();
    expect(unstorable({ connectorId: 2147483648 })).toMatchObject({ code: 'PropertyConstraintViolation', description: '/connectorId is out of range' });
    expect(unstorable({ a: [{ b: -2147483649 }] })?.description).toBe('/a/0/b is out of range');
    expect(unstorable({ vendor: 'Ac\u0000me' })).toMatchObject({ code: 'PropertyConstraintViolation', description: '/vendor contains a NUL character' });
    expect(unstorable({ ratio: 1.5e300 })).toBeDefined();
    expect(unstorable({ ratio: 0.5 })).toBeUndefined();
  });
});
