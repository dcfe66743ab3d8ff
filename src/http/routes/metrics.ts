import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.ts';
import type { App, HttpContext } from '../context.ts';
import { operation, TAG } from '../openapi.ts';

const EXAMPLE = [
  '# HELP flexicharge_chargers_connected Chargers connected to this node, by dialect (ocpp1.6 or flexicharge)',
  '# TYPE flexicharge_chargers_connected gauge',
  'flexicharge_chargers_connected{dialect="ocpp1.6",node="node1"} 4711',
  'flexicharge_chargers_connected{dialect="flexicharge",node="node1"} 101',
  '',
].join('\n');

const UNAUTHORIZED = 'The metrics token (METRICS_TOKEN) is required as Authorization: Bearer <token>';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Checks `Authorization: Bearer <METRICS_TOKEN>` in constant time. */
function tokenGuard(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest) => {
    const [scheme, given] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !given || !timingSafeEqual(digest(given), expected)) {
      throw new DomainError('unauthorized', ['unauthorizedError'], UNAUTHORIZED);
    }
  };
}

/** `GET /metrics`: this node's metrics for Prometheus; open, or behind METRICS_TOKEN when it is set. */
export function metricsRoutes({ config, metrics }: HttpContext) {
  return async (app: App) => {
    const token = config.metricsToken;
    app.get('/metrics', {
      onRequest: token ? tokenGuard(token) : undefined,
      schema: operation({
        id: 'getMetrics', tag: TAG.operations, access: 'public', database: false, summary: 'Prometheus metrics of this node',
        description: 'This node\'s metrics in the Prometheus text format (0.0.4): connected chargers, OCPP messages and CALLERRORs, '
          + 'command latencies, sessions, energy, HTTP request durations, the database pool, the journal, live-metric sockets and '
          + 'the process (event-loop lag, memory, CPU). Every series carries `node`. The README lists every metric.',
        who: 'Only `Authorization: Bearer <METRICS_TOKEN>` when the server has a `METRICS_TOKEN`; anyone when it has none '
          + '(then keep the route to the monitoring network).',
        // The same document whether or not this server has a token: it is required exactly when set.
        security: [{ metricsToken: [] }, {}],
        errors: {
          401: { description: 'The server has a METRICS_TOKEN and the request does not carry it', codes: ['unauthorizedError'], message: UNAUTHORIZED },
        },
      }, {
        response: {
          200: { description: 'The metrics', content: { 'text/plain': { schema: Type.String(), example: EXAMPLE } } },
        },
      }),
    }, async (_request, reply) => {
      const { text, contentType } = await metrics.exposition();
      return reply.type(contentType).send(text);
    });
  };
}
