import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOT, RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

describe('OCPP framing and validation', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let peer: RawCharger;
  beforeAll(async () => {
    t = await startTestSystem({ OCPP_MAX_FRAME_BYTES: '2048', OCPP_CALL_TIMEOUT: '2' });
    peer = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc111`);
  });
  afterAll(async () => {
    await peer?.close();
    await t?.close();
  });

  const stillServed = async () => {
    const answer = await peer.call('Heartbeat', {}, `alive-${Math.random()}`);
    expect(answer[0]).toBe(3);
    expect(peer.socket.readyState).toBe(peer.socket.OPEN);
  };

  it.each([
    ['invalid JSON', '[2, "bad-json", "Heartbeat", {', [4, 'bad-json', 'FormationViolation']],
    ['invalid JSON without a readable id', '}{', [4, '-1', 'FormationViolation']],
    ['an object instead of an array', '{"a":1}', [4, '-1', 'FormationViolation']],
    ['a one-element array', '[2]', [4, '-1', 'FormationViolation']],
    ['a CALL without payload', '[2, "no-payload", "Heartbeat"]', [4, 'no-payload', 'ProtocolError']],
    ['a CALL without action', '[2, "no-action", 5, {}]', [4, 'no-action', 'FormationViolation']],
    ['a payload that is not an object', '[2, "str-payload", "Heartbeat", "x"]', [4, 'str-payload', 'FormationViolation']],
    ['an unknown message type', '[7, "type-7", "Heartbeat", {}]', [4, 'type-7', 'FormationViolation']],
    ['an id of the wrong type', '[2, {"x":1}, "Heartbeat", {}]', [4, '-1', 'FormationViolation']],
    ['an unknown action', '[2, "unknown", "MakeCoffee", {}]', [4, 'unknown', 'NotImplemented']],
    ['a server-side action sent by the charger', '[2, "wrong-way", "Reset", {"type":"Hard"}]', [4, 'wrong-way', 'NotImplemented']],
  ])('answers %s with the right CALLERROR and stays connected', async (_case, frame, expected) => {
    peer.send(frame);
    const answer = await peer.next((f) => f[0] === 4 && f[1] === expected[1]);
    expect(answer.slice(0, 3)).toEqual(expected);
    expect(typeof answer[3]).toBe('string');
    expect(answer[4]).toEqual({});
    await stillServed();
  });

  it.each([
    ['a missing required field', { chargePointVendor: 'Acme' }, 'OccurenceConstraintViolation'],
    ['a string over its length limit', { chargePointVendor: 'x'.repeat(21), chargePointModel: 'M' }, 'PropertyConstraintViolation'],
    ['a field of the wrong type', { chargePointVendor: 5, chargePointModel: 'M' }, 'TypeConstraintViolation'],
    ['an unknown field', { ...BOOT, colour: 'red' }, 'FormationViolation'],
  ])('answers a BootNotification with %s with %s', async (_case, payload, code) => {
    const answer = await peer.call('BootNotification', payload);
    expect(answer.slice(0, 3)).toEqual([4, answer[1], code]);
    await stillServed();
  });

  it('rejects an invalid StatusNotification value with PropertyConstraintViolation', async () => {
    const answer = await peer.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' });
    expect(answer[2]).toBe('PropertyConstraintViolation');
  });

  it('answers an oversized frame with a CALLERROR carrying its id and keeps the connection', async () => {
    peer.send([2, 'too-big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(5000) }]);
    const answer = await peer.answerTo('too-big');
    expect(answer.slice(0, 3)).toEqual([4, 'too-big', 'FormationViolation']);
    await stillServed();
  });

  it('echoes numeric message ids as numbers and accepts a repeated id', async () => {
    for (let i = 0; i < 2; i++) {
      peer.send([2, 42, 'Heartbeat', {}]);
      const answer = await peer.answerTo(42);
      expect(answer[0]).toBe(3);
      expect(typeof answer[2].currentTime).toBe('string');
    }
  });

  it('drops an answer whose id matches nothing', async () => {
    const before = peer.received.length;
    peer.send([3, 'nobody-asked', { status: 'Accepted' }]);
    peer.send([4, 'nobody-asked-either', 'GenericError', '', {}]);
    await stillServed();
    expect(peer.received.slice(before).every((frame) => frame[1] !== 'nobody-asked' && frame[1] !== 'nobody-asked-either')).toBe(true);
  });

  it('answers a charger CALL at once while its own command is outstanding, and one command is in flight at a time', async () => {
    const first = t.system.gateway.send(100001, 'GetLocalListVersion', {}, { subsystem: 'operator' });
    const second = t.system.gateway.send(100001, 'ClearCache', {}, { subsystem: 'operator' });
    const firstCall = await peer.nextCall('GetLocalListVersion');
    expect(firstCall[1]).toMatch(/^[0-9a-f-]{36}$/);
    await stillServed();
    expect(peer.received.some((frame) => frame[0] === 2 && frame[2] === 'ClearCache')).toBe(false);
    peer.send([3, firstCall[1], { listVersion: 3 }]);
    await expect(first).resolves.toEqual({ listVersion: 3 });
    const secondCall = await peer.nextCall('ClearCache');
    expect(secondCall[1]).not.toBe(firstCall[1]);
    peer.send([3, secondCall[1], 'ClearCache', { status: 'Accepted' }]);
    await expect(second).resolves.toEqual({ status: 'Accepted' });
  });

  it('fails a command the charger answers with an invalid payload or a CALLERROR', async () => {
    const invalid = t.system.gateway.send(100001, 'ClearCache', {}, { subsystem: 'operator' });
    const call = await peer.nextCall('ClearCache');
    peer.send([3, call[1], { status: 'Maybe' }]);
    await expect(invalid).rejects.toMatchObject({ kind: 'badGateway' });
    const refused = t.system.gateway.send(100001, 'ClearCache', {}, { subsystem: 'operator' });
    const call2 = await peer.nextCall('ClearCache');
    peer.send([4, call2[1], 'NotSupported', 'no cache here', {}]);
    await expect(refused).rejects.toMatchObject({ kind: 'badGateway', codes: ['NotSupported'] });
  });

  it('times out a command the charger never answers and goes on with the next', async () => {
    const ignored = t.system.gateway.send(100001, 'Reset', { type: 'Soft' }, { subsystem: 'operator' });
    const next = t.system.gateway.send(100001, 'ClearCache', {}, { subsystem: 'operator' });
    await peer.nextCall('Reset');
    await expect(ignored).rejects.toMatchObject({ kind: 'timeout', codes: ['chargerTimeout'] });
    const call = await peer.nextCall('ClearCache');
    peer.send([3, call[1], { status: 'Accepted' }]);
    await expect(next).resolves.toEqual({ status: 'Accepted' });
  });

  it('refuses commands to an offline charger at once and invalid command payloads before sending', async () => {
    await expect(t.system.gateway.send(100009, 'ClearCache', {}, { subsystem: 'operator' })).rejects.toMatchObject({ kind: 'conflict', codes: ['chargerOffline'] });
    await expect(t.system.gateway.send(100001, 'Reset', { type: 'Sideways' } as never, { subsystem: 'operator' })).rejects.toMatchObject({ kind: 'invalid' });
  });
});
