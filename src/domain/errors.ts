import { isDatabaseUnavailable, isDataException } from '../db/errors.ts';

/** What went wrong, in terms the edges (HTTP, OCPP) translate into their own status codes. */
export type ErrorKind = 'invalid' | 'unauthorized' | 'forbidden' | 'notFound' | 'conflict' | 'unavailable' | 'timeout' | 'badGateway';

/**
 * A failure the caller can act on. `codes` are the original FlexiCharge error codes
 * (e.g. `invalidSerialNumber`, `dbUniqueConstraintError`) that clients look for.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly codes: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('notFound', ['notFoundError'], `${what} not found`);

/**
 * A database rejection caused by the input (a value out of range, a NUL byte in text), or
 * a database that cannot be reached, as a DomainError; anything else is returned unchanged.
 */
export function fromDatabaseError(error: unknown): unknown {
  if (isDataException(error)) return new DomainError('invalid', ['invalidInput'], 'A value is out of range or not allowed');
  if (isDatabaseUnavailable(error)) return new DomainError('unavailable', ['databaseUnavailable'], 'The database cannot be reached right now; try again shortly');
  return error;
}
