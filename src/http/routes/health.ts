import { Type, type Static } from '@sinclair/typebox';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')], {
    description: 'ok; degraded: charger data waits in the journal while the database catches up, or the other nodes cannot be reached; unavailable: the database does not answer',
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
  node: Type.Object({
    id: Type.String({ description: 'This node\'s id (NODE_ID)' }),
    several: Type.Boolean({ description: 'Whether it runs among several nodes (NATS_URL)' }),
    connected: Type.Boolean({ description: 'Whether the other nodes can be reached (always true on a single node)' }),
    housekeeper: Type.Boolean({ description: 'Whether this node runs the once-only work (sweeps, invoicing) now' }),
    chargers: Type.Integer({ description: 'Chargers connected to this node' }),
  }),
});

/** This node among the others, as /health shows it. */
export type NodeStatus = Static<typeof Health>['node'];

/** Liveness, database readiness and the charger-data journal, for load balancers and operators. */
export function healthRoutes({ database, ingest, node }: HttpContext) {
  return async (app: App) => {
    const directIngest = { mode: 'direct' as const, backlog: 0, journalBytes: 0, since: null, rejected: 0 };
    const exampleNode = { id: 'node1', several: true, connected: true, housekeeper: false, chargers: 4812 };
    app.get('/health', {
      schema: operation({
        id: 'getHealth', tag: TAG.operations, access: 'public', database: false, summary: 'Liveness, database readiness and the journal backlog',
        description: 'For load balancers and operators: whether the database answers (within 2 s) and where charger data goes. '
          + '`degraded` while charger data waits in the local journal for the database; 503 `unavailable` while the database does not answer.',
      }, {
        response: {
          200: json('Up: `ok`, or `degraded` while the journal drains or the other nodes cannot be reached', Health, {
            status: 'ok', database: 'up', uptimeSeconds: 86400, ingest: directIngest, node: exampleNode,
          }),
          503: json('The database does not answer; charger data goes to the journal', Health, {
            status: 'unavailable', database: 'down', uptimeSeconds: 86400,
            ingest: { mode: 'journal', backlog: 120, journalBytes: 48213, since: '2025-06-02T08:15:00.000Z', rejected: 0 },
            node: exampleNode,
          }),
        },
      }),
    }, async (_request, reply) => {
      const up = await database.ping();
      const journal = ingest();
      const self = node();
      return reply.status(up ? 200 : 503).send({
        status: !up ? 'unavailable' : journal.mode === 'journal' || !self.connected ? 'degraded' : 'ok',
        database: up ? 'up' : 'down',
        uptimeSeconds: Math.floor(process.uptime()),
        ingest: journal,
        node: self,
      });
    });
  };
}
