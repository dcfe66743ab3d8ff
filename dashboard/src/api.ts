import { freshToken, refresh, signOut } from './auth.ts';

/** An HTTP answer that was not 2xx, with the server's JSON error envelope. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly codes: string[] = []) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Options {
  method?: Method;
  /** Sent as JSON, unless it is a Blob/ArrayBuffer/string with `contentType`. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

async function send(path: string, options: Options, token: string | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (options.contentType) {
      headers['Content-Type'] = options.contentType;
      body = options.body as BodyInit;
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
  }
  return fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal });
}

/** The response of `path` as the admin signed in; one 401 tries a refreshed token once, then signs out. */
export async function request(path: string, options: Options = {}): Promise<Response> {
  let response = await send(path, options, await freshToken());
  if (response.status === 401 && (await refresh())) response = await send(path, options, await freshToken());
  if (response.status === 401) signOut('expired');
  if (!response.ok) {
    const error = (await response.json().catch(() => ({}))) as { message?: string; errorCodes?: string[] };
    throw new ApiError(response.status, error.message ?? `HTTP ${response.status}`, error.errorCodes ?? []);
  }
  return response;
}

/** The JSON answer of `path` (undefined for 204). */
export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const response = await request(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string of the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
