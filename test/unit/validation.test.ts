import { describe, expect, it } from 'vitest';
import { buildValidator, errorCodesOf } from '../../src/http/validation.ts';

const compile = buildValidator();
const validate = compile({
  schema: {
    type: 'object',
    required: ['serialNumber', 'chargePointID'],
    'x-error-code': 'invalidInput',
    properties: {
      serialNumber: { type: 'string', maxLength: 3, 'x-error-code': 'invalidSerialNumber' },
      chargePointID: { type: 'integer', 'x-error-code': 'invalidChargePointID' },
    },
  },
  httpPart: 'body', method: 'POST', url: '/',
}) as ((data: unknown) => boolean) & { errors?: object[] };

function codesFor(data: unknown): string[] {
  expect(validate(data)).toBe(false);
  return errorCodesOf(validate.errors!);
}

describe('validation error codes', () => {
  it('names the missing field by its own code', () => {
    expect(codesFor({ chargePointID: 1 })).toEqual(['invalidSerialNumber']);
  });
  it('adds invalidDataType after the field code for type errors and does not coerce bodies', () => {
    expect(codesFor({ serialNumber: 'ab', chargePointID: '1' })).toEqual(['invalidChargePointID', 'invalidDataType']);
  });
  it('reports every failing field', () => {
    expect(codesFor({ serialNumber: 'abcd' }).sort()).toEqual(['invalidChargePointID', 'invalidSerialNumber']);
    expect(codesFor({ serialNumber: 'abcd', chargePointID: 1.5 })).toEqual(['invalidSerialNumber', 'invalidChargePointID', 'invalidDataType']);
  });
  it('falls back to the object code and then to invalidInput', () => {
    expect(codesFor('text')).toEqual(['invalidInput', 'invalidDataType']);
    expect(errorCodesOf([{ keyword: 'minimum', parentSchema: {} }])).toEqual(['invalidInput']);
  });
  it('coerces path and query parameters', () => {
    const params = compile({ schema: { type: 'object', properties: { id: { type: 'integer' } } }, httpPart: 'params', method: 'GET', url: '/' }) as (d: unknown) => boolean;
    const data = { id: '42' };
    expect(params(data)).toBe(true);
    expect(data.id).toBe(42);
  });
});
