/** CALLERROR codes of OCPP-J 1.6, with the specification's own spellings (typos included). */
export type OcppErrorCode =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormationViolation'
  | 'PropertyConstraintViolation'
  | 'OccurenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError';

/** A failure to be answered (or received) as a CALLERROR. */
export class OcppError extends Error {
  constructor(
    readonly code: OcppErrorCode | string,
    readonly description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'OcppError';
  }
}
