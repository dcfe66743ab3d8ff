import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Schemas name the original FlexiCharge error code of a field with this keyword, e.g.
 * `Type.String({ 'x-error-code': 'invalidSerialNumber' })`; the error handler reports it.
 */
export const ERROR_CODE_KEYWORD = 'x-error-code';

// multipleOfPrecision: a limit of 5.3 is a multiple of 0.1 (OCPP charging limits), though not in floating point.
const common: Options = { allErrors: true, verbose: true, strict: false, useDefaults: true, multipleOfPrecision: 9, keywords: [ERROR_CODE_KEYWORD] };

// Bodies are checked as sent (a string is not a number); path and query parameters
// arrive as text and are coerced. One pair for the whole app: Fastify asks for a
// compiler per plugin context, and building Ajv instances is slow.
const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
const parameterAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));

/**
 * Fastify's validator builder; shared schemas (unique `$id`s) are added once. Each route's
 * validator is compiled on its first request: compiling all of them up front made a
 * third of the time a start takes.
 */
export function buildValidator(sharedSchemas: Record<string, unknown> = {}): FastifySchemaCompiler<object> {
  for (const schema of Object.values(sharedSchemas) as { $id?: string }[]) {
    for (const ajv of [bodyAjv, parameterAjv]) if (!schema.$id || !ajv.getSchema(schema.$id)) ajv.addSchema(schema);
  }
  return ({ schema, httpPart }) => {
    let compiled: ValidateFunction | undefined;
    const validate = (data: unknown) => {
      compiled ??= (httpPart === 'body' ? bodyAjv : parameterAjv).compile(schema);
      const valid = compiled(data);
      validate.errors = compiled.errors;
      return valid;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate;
  };
}

/** The error codes for a failed validation: each failing field's own code, plus invalidDataType for type errors. */
export function errorCodesOf(errors: readonly Partial<ErrorObject>[]): string[] {
  const codes = new Set<string>();
  for (const error of errors) {
    const schema = error.parentSchema as Record<string, unknown> | undefined;
    let code = schema?.[ERROR_CODE_KEYWORD];
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty?: string } | undefined)?.missingProperty;
      const properties = schema?.properties as Record<string, Record<string, unknown>> | undefined;
      code = (missing && properties?.[missing]?.[ERROR_CODE_KEYWORD]) ?? code;
    }
    if (error.keyword === 'type') codes.add('invalidDataType');
    if (typeof code === 'string') codes.add(code);
  }
  if (codes.size === 0) codes.add('invalidInput');
  return [...codes].sort((a, b) => Number(a === 'invalidDataType') - Number(b === 'invalidDataType'));
}
