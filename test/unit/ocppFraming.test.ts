import { describe, expect, it } from 'vitest';
import type { ChargerConnection } from '../../src/ocpp/connection.ts';
import { createDispatcher } from '../../src/ocpp/handlers/index.ts';
import type { HandlerDeps } from '../../src/ocpp/handlers/context.ts';
import { OcppError } from '../../src/ocpp/protocol/errors.ts';
import {
  CALL, CALLERROR, CALLRESULT, callFrame, errorFrame, FrameError, parseFrame, recoverMessageId, resultFrame,
} from '../../src/ocpp/protocol/frames.ts';
import { checkRequest, checkResponse, isOcppAction } from '../../src/ocpp/protocol/schemas.ts';

/** The FrameError a malformed frame is refused with: the CALLERROR code and the id to answer to. */
function refusal(text: string): { code: string; id: unknown } {
  try {
    parseFrame(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toBeInstanceOf(OcppError);
    const { code, id } = error as FrameError;
    return { code, id };
  }
  throw new Error(`${text} was accepted`);
}

const FLEXICHARGE_ID = '0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v';

describe('OCPP-J frames that parse', () => {
  it('reads a CALL as type, id, action and payload', () => {
    expect(parseFrame('[2,"19223201","BootNotification",{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}]')).toEqual({
      type: CALL, id: '19223201', action: 'BootNotification', payload: { chargePointVendor: 'VendorX', chargePointModel: 'SingleSocketCharger' }, pruned: false,
    });
  });

  it('reads the standard 3-element CALLRESULT', () => {
    expect(parseFrame('[3,"19223201",{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","interval":300}]')).toEqual({
      type: CALLRESULT, id: '19223201', payload: { status: 'Accepted', currentTime: '2013-02-01T20:53:32.486Z', interval: 300 },
    });
  });

  it('reads the FlexiCharge 4-element CALLRESULT with the action at index 2', () => {
    expect(parseFrame('[3,"100009DataTransfer1795236129510","DataTransfer",{"status":"Accepted"}]')).toEqual({
      type: CALLRESULT, id: '100009DataTransfer1795236129510', action: 'DataTransfer', payload: { status: 'Accepted' },
    });
  });

  it('reads the original backend\'s payload-less result [3, id, "MeterValues"] as an empty payload', () => {
    expect(parseFrame('[3,"100009MeterValues1795236129510","MeterValues"]')).toEqual({
      type: CALLRESULT, id: '100009MeterValues1795236129510', action: 'MeterValues', payload: {},
    });
  });

  it('takes a null or missing CALLRESULT payload as {}', () => {
    expect(parseFrame('[3,"a",null]')).toEqual({ type: CALLRESULT, id: 'a', payload: {} });
    expect(parseFrame('[3,"a"]')).toEqual({ type: CALLRESULT, id: 'a', payload: {} });
  });

  it('reads a CALLERROR with code, description and details', () => {
    expect(parseFrame('[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{"hint":1}]')).toEqual({
      type: CALLERROR, id: '162376037', code: 'NotSupported', description: 'SetDisplayMessageRequest not implemented', details: { hint: 1 },
    });
  });

  it('fills what a sloppy CALLERROR leaves out: GenericError, an empty description, {} as details', () => {
    expect(parseFrame('[4,"a"]')).toEqual({ type: CALLERROR, id: 'a', code: 'GenericError', description: '', details: {} });
    expect(parseFrame('[4,"a",null,null,null]')).toEqual({ type: CALLERROR, id: 'a', code: 'GenericError', description: '', details: {} });
  });

  it('keeps the 2.0.1 spelling OccurrenceConstraintViolation of a received CALLERROR as it came', () => {
    expect(parseFrame('[4,"a","OccurrenceConstraintViolation","",{}]')).toMatchObject({ code: 'OccurrenceConstraintViolation' });
  });

  it('accepts a null CALL payload as {} (peers send it for empty payloads)', () => {
    expect(parseFrame('[2,"a","Heartbeat",null]')).toMatchObject({ type: CALL, payload: {} });
  });

  it('accepts the FlexiCharge charger\'s constant id on every CALL, again and again', () => {
    const frame = `[2,"${FLEXICHARGE_ID}","StatusNotification",{"connectorId":"1","errorCode":"","status":"Available"}]`;
    expect(parseFrame(frame)).toMatchObject({ id: FLEXICHARGE_ID, action: 'StatusNotification' });
    expect(parseFrame(frame)).toMatchObject({ id: FLEXICHARGE_ID, action: 'StatusNotification' });
  });

  it('keeps numeric message ids as numbers, so the answer echoes them exactly', () => {
    expect(parseFrame('[2,42,"Heartbeat",{}]')).toMatchObject({ id: 42 });
    expect(parseFrame('[4,1337,"SecurityError","Serial number was not found in database.",{}]')).toMatchObject({ id: 1337, code: 'SecurityError' });
  });

  it('accepts a UUID (36 characters) and longer ids up to 128 characters', () => {
    expect(parseFrame('[2,"6f2c0a6e-9f6e-4b8e-a7a4-1f3f5b1c2d3e","Heartbeat",{}]')).toMatchObject({ id: '6f2c0a6e-9f6e-4b8e-a7a4-1f3f5b1c2d3e' });
    expect(parseFrame(`[2,"${'x'.repeat(128)}","Heartbeat",{}]`)).toMatchObject({ id: 'x'.repeat(128) });
  });

  it('keeps action names exactly as sent (they are case-sensitive)', () => {
    expect(parseFrame('[2,"a","heartbeat",{}]')).toMatchObject({ action: 'heartbeat' });
  });
});

describe('malformed OCPP-J frames and their CALLERROR codes', () => {
  it('refuses text that is not JSON with FormationViolation, answering to the id it can still read', () => {
    expect(refusal('[2, "bad-json", "Heartbeat", {')).toEqual({ code: 'FormationViolation', id: 'bad-json' });
    expect(refusal('[2,"trailing","Heartbeat",{}] x')).toEqual({ code: 'FormationViolation', id: 'trailing' });
    expect(refusal('[2, 77, "Heartbeat", {')).toEqual({ code: 'FormationViolation', id: 77 });
  });

  it('answers to id "-1" when nothing readable is left', () => {
    expect(refusal('}{')).toEqual({ code: 'FormationViolation', id: '-1' });
    expect(refusal('')).toEqual({ code: 'FormationViolation', id: '-1' });
  });

  it('refuses JSON that is not an array of at least type and id', () => {
    for (const text of ['{"a":1}', '"text"', '42', 'null', '[]', '[2]']) expect(refusal(text)).toEqual({ code: 'FormationViolation', id: '-1' });
  });

  it('refuses ids that are no string or number, empty, or longer than 128 characters', () => {
    for (const id of ['{"x":1}', '[1]', 'true', 'null', '""', `"${'x'.repeat(129)}"`, '1e400']) {
      expect(refusal(`[2,${id},"Heartbeat",{}]`)).toEqual({ code: 'FormationViolation', id: '-1' });
    }
  });

  it('refuses a CALL without an action name', () => {
    expect(refusal('[2,"no-action",5,{}]')).toEqual({ code: 'FormationViolation', id: 'no-action' });
    expect(refusal('[2,"empty-action","",{}]')).toEqual({ code: 'FormationViolation', id: 'empty-action' });
  });

  it('refuses a CALL without payload as incomplete (ProtocolError)', () => {
    expect(refusal('[2,"no-payload","Heartbeat"]')).toEqual({ code: 'ProtocolError', id: 'no-payload' });
  });

  it('refuses a CALL whose payload is no JSON object', () => {
    for (const payload of ['"x"', '[]', '[{}]', '5', 'true']) {
      expect(refusal(`[2,"bad-payload","Heartbeat",${payload}]`)).toEqual({ code: 'FormationViolation', id: 'bad-payload' });
    }
  });

  it('refuses a CALLRESULT whose payload is no JSON object', () => {
    expect(refusal('[3,"r",[1]]')).toEqual({ code: 'FormationViolation', id: 'r' });
    expect(refusal('[3,"r",5]')).toEqual({ code: 'FormationViolation', id: 'r' });
  });

  it('refuses message types other than 2, 3 and 4, naming the id', () => {
    for (const type of ['5', '7', '0', '"2"', 'null']) expect(refusal(`[${type},"t","Heartbeat",{}]`)).toEqual({ code: 'FormationViolation', id: 't' });
  });
});

describe('recovering the id of an unreadable frame', () => {
  it('reads a string or numeric id at the head of the frame', () => {
    expect(recoverMessageId('[2,"abc","Heartbeat",{')).toBe('abc');
    expect(recoverMessageId('  [ 3 , "spaced" ')).toBe('spaced');
    expect(recoverMessageId('[2,-5,"x"')).toBe(-5);
  });

  it('gives "-1" when the head is not [type, id', () => {
    for (const text of ['garbage', '{"id":"x"}', '[2,', '[2, null', '["2","x"']) expect(recoverMessageId(text)).toBe('-1');
  });

  it('does not take an id longer than 128 characters', () => {
    expect(recoverMessageId(`[2,"${'x'.repeat(129)}",`)).toBe('-1');
  });
});

describe('encoding frames', () => {
  it('writes CALL, CALLRESULT and CALLERROR as the arrays of OCPP-J', () => {
    expect(JSON.parse(callFrame('id-1', 'Reset', { type: 'Soft' }))).toEqual([2, 'id-1', 'Reset', { type: 'Soft' }]);
    expect(JSON.parse(resultFrame('id-1', {}))).toEqual([3, 'id-1', {}]);
    expect(JSON.parse(errorFrame('id-1', 'NotImplemented', 'Unknown action'))).toEqual([4, 'id-1', 'NotImplemented', 'Unknown action', {}]);
  });

  it('gives a CALLERROR {} as details when there are none, and keeps an empty description', () => {
    expect(JSON.parse(errorFrame('x', 'GenericError', ''))).toEqual([4, 'x', 'GenericError', '', {}]);
  });

  it('echoes a numeric id as a number', () => {
    expect(resultFrame(42, { currentTime: '2026-01-01T00:00:00.000Z' })).toBe('[3,42,{"currentTime":"2026-01-01T00:00:00.000Z"}]');
    expect(errorFrame(1337, 'SecurityError', 'x')).toBe('[4,1337,"SecurityError","x",{}]');
  });

  it('writes frames that parse back to what was encoded', () => {
    const payload = { connectorId: 1, idTag: 'ÅÄÖ-"quoted"\\' };
    expect(parseFrame(callFrame('rt', 'RemoteStartTransaction', payload))).toEqual({ type: CALL, id: 'rt', action: 'RemoteStartTransaction', payload, pruned: false });
    expect(parseFrame(resultFrame('rt', { status: 'Accepted' }))).toEqual({ type: CALLRESULT, id: 'rt', payload: { status: 'Accepted' } });
    expect(parseFrame(errorFrame('rt', 'InternalError', 'oops', { a: 1 }))).toEqual({ type: CALLERROR, id: 'rt', code: 'InternalError', description: 'oops', details: { a: 1 } });
  });
});

describe('which CALLERROR a payload outside the 1.6 schema gets', () => {
  const boot = { chargePointVendor: 'AVT-Company', chargePointModel: 'AVT-Express' };

  it('accepts valid payloads', () => {
    expect(checkRequest('BootNotification', boot)).toBeUndefined();
    expect(checkRequest('Heartbeat', {})).toBeUndefined();
    expect(checkRequest('Authorize', { idTag: 'x'.repeat(20) })).toBeUndefined();
  });

  it('names a missing required field OccurenceConstraintViolation (the 1.6 spelling, one "r")', () => {
    expect(checkRequest('BootNotification', { chargePointVendor: 'Acme' })?.code).toBe('OccurenceConstraintViolation');
    expect(checkRequest('Authorize', {})?.code).toBe('OccurenceConstraintViolation');
  });

  it('names a field of the wrong type TypeConstraintViolation', () => {
    expect(checkRequest('BootNotification', { ...boot, chargePointVendor: 5 })?.code).toBe('TypeConstraintViolation');
    expect(checkRequest('StatusNotification', { connectorId: 'one', errorCode: 'NoError', status: 'Available' })?.code).toBe('TypeConstraintViolation');
    expect(checkRequest('StatusNotification', { connectorId: 1.5, errorCode: 'NoError', status: 'Available' })?.code).toBe('TypeConstraintViolation');
  });

  it('names a value out of its range or length PropertyConstraintViolation', () => {
    expect(checkRequest('BootNotification', { ...boot, chargePointVendor: 'x'.repeat(21) })?.code).toBe('PropertyConstraintViolation');
    expect(checkRequest('BootNotification', { ...boot, chargePointSerialNumber: 'x'.repeat(26) })?.code).toBe('PropertyConstraintViolation');
    expect(checkRequest('Authorize', { idTag: 'x'.repeat(21) })?.code).toBe('PropertyConstraintViolation');
  });

  it('names an unknown field FormationViolation', () => {
    expect(checkRequest('BootNotification', { ...boot, colour: 'red' })?.code).toBe('FormationViolation');
  });

  it('names a payload that is no object at all FormationViolation', () => {
    expect(checkRequest('Heartbeat', [])?.code).toBe('FormationViolation');
    expect(checkRequest('Heartbeat', 'x')?.code).toBe('FormationViolation');
  });

  it('says where the problem is, without exception text', () => {
    const problem = checkRequest('BootNotification', { ...boot, chargePointVendor: 5 });
    expect(problem?.description).toMatch(/^\/chargePointVendor /);
    expect(problem?.description).not.toMatch(/Error|at .*\(/);
  });

  it('knows the 1.6 actions by their exact (case-sensitive) names', () => {
    expect(isOcppAction('Heartbeat')).toBe(true);
    expect(isOcppAction('RemoteStartTransaction')).toBe(true);
    expect(isOcppAction('heartbeat')).toBe(false);
    expect(isOcppAction('MakeCoffee')).toBe(false);
    expect(checkRequest('heartbeat', {})?.code).toBe('NotImplemented');
  });

  it('validates our outgoing commands\' answers too, with the errata-fixed integer interval', () => {
    expect(checkResponse('BootNotification', { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300 })).toBeUndefined();
    expect(checkResponse('BootNotification', { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300.5 })?.code).toBe('TypeConstraintViolation');
    expect(checkResponse('ClearCache', { status: 'Maybe' })?.code).toBe('PropertyConstraintViolation');
    expect(checkResponse('RemoteStartTransaction', { status: 'Rejected' })).toBeUndefined();
  });
});

describe('actions a charger may not send', () => {
  const dispatch = createDispatcher({} as HandlerDeps);
  const connection = {} as ChargerConnection;

  it('answers an unknown action, and a server-to-charger action sent by a charger, with NotImplemented', async () => {
    for (const action of ['MakeCoffee', 'Reset', 'RemoteStartTransaction', 'heartbeat']) {
      await expect(dispatch(connection, action, {}, 'id')).rejects.toMatchObject({ code: 'NotImplemented' });
    }
  });
});
