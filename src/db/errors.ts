/** SQLSTATE of a driver error (pg and PGlite both expose `code`). */
function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === '23503';
/** SQLSTATE class 22: the value itself was unacceptable (out of range, bad encoding, …). */
export const isDataException = (error: unknown) => sqlState(error)?.startsWith('22') ?? false;
