import { OcppError } from './errors.ts';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/**
 * What the JSON schemas allow but the data model cannot hold: integers beyond int32
 * (every OCPP integer field is stored in one) and text with NUL characters (PostgreSQL
 * text cannot contain them). Checked for the messages that may be refused; transaction
 * messages are read with the same limits but never refused (handlers/fields.ts).
 */
export function unstorable(payload: Record<string, unknown>): OcppError | undefined {
  const stack: [unknown, string][] = [[payload, '']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'number') {
      if (Number.isInteger(value) && (value < INT32_MIN || value > INT32_MAX)) return new OcppError('PropertyConstraintViolation', `${path || 'payload'} is out of range`);
    } else if (typeof value === 'string') {
      if (value.includes('\u0000')) return new OcppError('PropertyConstraintViolation', `${path || 'payload'} contains a NUL character`);
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) stack.push([(value as Record<string, unknown>)[key], `${path}/${key}`]);
    }
  }
  return undefined;
}
