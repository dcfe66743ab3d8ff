import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors.ts';

/** Klarna's answer to a call, or the failure that ended it. */
export interface KlarnaOutcome {
  httpStatus: number | null;
  body: any;
}

export type KlarnaCallRecorder = (paymentId: number, operation: string, idempotencyKey: string, outcome: KlarnaOutcome | Error) => Promise<void>;

const ATTEMPTS = 3;
const TIMEOUT_MS = 10_000;

/**
 * The Klarna Payments and Order Management endpoints we use, over HTTPS with Basic auth
 * (KLARNA_TOKEN = "username:password"). Every call carries an idempotency key (kept across
 * retries, so a retried capture cannot capture twice), is retried on network errors, and
 * is recorded with its outcome.
 */
export class KlarnaClient {
  readonly #authorization: string;

  constructor(private readonly baseUrl: string, token: string, private readonly record: KlarnaCallRecorder, private readonly logger: Logger) {
    this.#authorization = `Basic ${Buffer.from(token).toString('base64')}`;
  }

  async call(paymentId: number, operation: string, method: string, path: string, body?: unknown, expect: number[] = [200, 201, 204]): Promise<any> {
    const idempotencyKey = randomUUID();
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await fetch(new URL(path, this.baseUrl), {
          method,
          headers: {
            authorization: this.#authorization,
            'content-type': 'application/json',
            'klarna-idempotency-key': idempotencyKey,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await response.text();
        const parsed = text ? safeJson(text) : {};
        await this.record(paymentId, operation, idempotencyKey, { httpStatus: response.status, body: parsed });
        if (expect.includes(response.status)) return parsed;
        throw klarnaError(operation, response.status, parsed);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        lastError = error as Error;
        this.logger.warn({ operation, attempt, err: error }, 'Klarna call failed');
        await this.record(paymentId, operation, idempotencyKey, lastError).catch(() => undefined);
        if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    throw new DomainError('badGateway', ['klarnaError'], `Klarna could not be reached (${operation}): ${lastError?.message ?? 'no answer'}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

/** Klarna's error answers as the original's error codes. */
function klarnaError(operation: string, status: number, body: any): DomainError {
  const detail = Array.isArray(body?.error_messages) ? body.error_messages.join('; ') : String(body?.error_code ?? '');
  const code = status === 401 || status === 403 ? 'klarnaNotAuthorized'
    : status === 404 ? 'klarnaOrderNotFound'
    : operation === 'createSession' && status === 400 ? 'klarnaUnableToCreateSession'
    : operation === 'createOrder' && status === 400 ? 'klarnaUnableToCreateOrder'
    : operation === 'capture' && (status === 400 || status === 403) ? 'klarnaCaptureNotAllowed'
    : operation === 'updateAuthorization' ? 'klarnaUnableToUpdateOrder'
    : status === 409 ? 'klarnaInvalidDataInRequest'
    : 'klarnaError';
  return new DomainError(status === 401 || status === 403 ? 'invalid' : 'badGateway', [code], `Klarna refused ${operation} (HTTP ${status}${detail ? `: ${detail}` : ''})`);
}
