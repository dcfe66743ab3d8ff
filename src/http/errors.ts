import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, fromDatabaseError, type ErrorKind } from '../domain/errors.ts';
import { errorCodesOf } from './validation.ts';

const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  unavailable: 503,
  timeout: 504,
  badGateway: 502,
};

export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  errorCodes?: string[];
}

export function errorBody(status: number, codes: readonly string[], message: string): ErrorBody {
  return { status, code: codes[0] ?? 'internalError', message, errorCodes: [...codes] };
}

/** Codes for framework errors that reach the handler (bad JSON, wrong content type, …). */
function frameworkCode(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'invalidJson';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupportedMediaType';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'bodyTooLarge';
    default:
      return error.statusCode === 429 ? 'tooManyRequests' : 'badRequest';
  }
}

/** One JSON error shape for everything: validation, domain errors, framework errors, unknown routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((rawError: FastifyError, request, reply) => {
    const error = fromDatabaseError(rawError) as FastifyError | DomainError;
    if (error instanceof DomainError) {
      const status = STATUS_OF[error.kind];
      return reply.status(status).send(errorBody(status, error.codes, error.message));
    }
    if (error.validation) {
      const codes = errorCodesOf(error.validation);
      return reply.status(400).send(errorBody(400, codes, error.message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(status, [frameworkCode(error)], error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(errorBody(500, ['internalError'], 'Internal Server Error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(404, ['notFoundError'], `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });
}
