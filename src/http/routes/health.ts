import { Type } from '@sinclair/typebox';
import type { App, HttpContext } from '../context.ts';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')], {
    description: 'ok; degraded: charger data waits in the journal while the database catches up; unavailable: the database does not answer',
  }),
  database: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  uptimeSeconds: Type.Integer(),
  ingest: Type.Object({
    mode: Type.Union([Type.Literal('direct'), Type.Literal('journal')], { description: 'direct: charger data goes to the database; journal: to the local journal first' }),
    backlog: Type.Integer({ description: 'Journal records (charger messages) not yet in the database' }),
    journalBytes: Type.Integer(),
    since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the database stopped taking charger data' }),
    rejected: Type.Integer({ description: 'Charger facts the database refused, kept in DATA_DIR/journal/rejected.jsonl' }),
  }),
});

/** Liveness, database readiness and the charger-data journal, for load balancers and operators. */
export function healthRoutes({ database, ingest }: HttpContext) {
  return async (app: App) => {
    app.get('/health', {
      schema: { tags: ['operations'], summary: 'Liveness, database readiness and the journal backlog', response: { 200: Health, 503: Health } },
    }, async (_request, reply) => {
      const up = await database.ping();
      const journal = ingest();
      return reply.status(up ? 200 : 503).send({
        status: !up ? 'unavailable' : journal.mode === 'journal' ? 'degraded' : 'ok',
        database: up ? 'up' : 'down',
        uptimeSeconds: Math.floor(process.uptime()),
        ingest: journal,
      });
    });
  };
}
