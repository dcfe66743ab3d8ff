import { Type } from '@sinclair/typebox';
import type { App, HttpContext } from '../context.ts';

const Health = Type.Object({ status: Type.String(), database: Type.String(), uptimeSeconds: Type.Integer() });

/** Liveness plus database readiness, for load balancers and orchestrators. */
export function healthRoutes({ database }: HttpContext) {
  return async (app: App) => {
    app.get('/health', {
      schema: { tags: ['operations'], summary: 'Liveness and database readiness', response: { 200: Health, 503: Health } },
    }, async (_request, reply) => {
      const up = await database.ping();
      return reply.status(up ? 200 : 503).send({
        status: up ? 'ok' : 'unavailable',
        database: up ? 'up' : 'down',
        uptimeSeconds: Math.floor(process.uptime()),
      });
    });
  };
}
