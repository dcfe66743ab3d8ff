import { CallError } from './errors.ts';

type FieldType = 'string' | 'integer' | 'dateTime' | 'object' | 'array';
type FieldSpec = Record<string, FieldType>;
type ValueOf<T extends FieldType> = T extends 'string' | 'dateTime' ? string : T extends 'integer' ? number : T extends 'array' ? unknown[] : Record<string, unknown>;
type Checked<R extends FieldSpec, O extends FieldSpec> = { [K in keyof R]: ValueOf<R[K]> } & { [K in keyof O]?: ValueOf<O[K]> };

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'dateTime': return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return hasType(value, 'object');
}

/**
 * The top-level checks of the OCPP 1.6 request schemas, answered with the CALLERROR codes a
 * validating charger uses (ocpp-j-rules §1.5). Unknown keys are tolerated, as by many chargers.
 */
export function checkPayload<R extends FieldSpec, O extends FieldSpec = {}>(payload: unknown, required: R, optional?: O): Checked<R, O> {
  if (!isObject(payload)) throw new CallError('FormationViolation', 'the payload is not a JSON object');
  for (const [key, type] of Object.entries(required)) {
    if (payload[key] === undefined) throw new CallError('OccurenceConstraintViolation', `${key} is required`);
    if (!hasType(payload[key], type)) throw new CallError('TypeConstraintViolation', `${key} must be of type ${type}`);
  }
  for (const [key, type] of Object.entries(optional ?? {})) {
    if (payload[key] !== undefined && !hasType(payload[key], type)) throw new CallError('TypeConstraintViolation', `${key} must be of type ${type}`);
  }
  return payload as Checked<R, O>;
}

/** An enumerated field's value must be one of `allowed`. */
export function checkOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new CallError('PropertyConstraintViolation', `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}
