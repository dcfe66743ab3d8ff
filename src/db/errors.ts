/** SQLSTATE of a driver error (pg and PGlite both expose `code`). */
function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === '23503';
/**
 * The value itself was unacceptable: SQLSTATE class 22 (out of range, bad encoding, …), a
 * check constraint (23514) or a missing required value (23502).
 */
export const isDataException = (error: unknown) => {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code === '23514' || code === '23502');
};

/** Socket-level failures on the way to the database server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * What pg says, without a code, when a connection died or could not be had: the server
 * went away mid-query, the pool waited too long for a connection, or the pool is closing.
 */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Query read timeout',
  'Cannot use a pool after calling end on the pool',
  'Client was closed and is not queryable',
];

/**
 * True when the database could not be reached or could not do the work for reasons of its
 * own, not because of what was asked: connection failures (SQLSTATE class 08), shutdown
 * and restart (57P0x), exhausted resources such as a full disk (class 53), system errors
 * (class 58), or a broken embedded engine. Work refused for these reasons may succeed
 * unchanged later; everything else is a real answer about the request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code)) return true;
    if (/^(08|53|58)/.test(code) || /^57P0[1-4]$/.test(code)) return true;
    // Any other SQLSTATE is the database answering.
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_MESSAGES.some((message) => error.message.includes(message))) return true;
  // The embedded engine is WebAssembly: a trap leaves it unusable until the process restarts.
  return error instanceof WebAssembly.RuntimeError;
}

/** Serialization failures and deadlocks: the same work succeeds when simply tried again. */
export const isTransientConflict = (error: unknown) => {
  const code = sqlState(error);
  return code === '40001' || code === '40P01';
};
