import { ApiError } from '../../api.ts';

/** An error as an operator reads it: the server's message and its error codes. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.codes.length ? `${error.message} (${error.codes.join(', ')})` : error.message;
  return error instanceof Error ? error.message : String(error);
}
