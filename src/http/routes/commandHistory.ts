import { Type } from '@sinclair/typebox';
import { COMMAND_ACTIONS, type CommandAction } from '../../domain/chargerGateway.ts';
import { COMMAND_OUTCOMES, getCommand, listCommands, type CommandOutcome } from '../../domain/commandHistory.ts';
import { getCharger } from '../../domain/chargers.ts';
import { listFrames } from '../../domain/ocppMessageLog.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, 'x-error-code': 'invalidLimit', description: `Page size, default ${DEFAULT_PAGE}` }));
const ChargerParam = IdParam('invalidconnectorID', 'connectorID of the charger', 100000);
const badQuery = (codes: string[], message: string) => ({ description: 'A query value is out of range, or `id` is not an integer', codes, message });
const unknownCharger = 'No charger has this connectorID';

const OUTCOME_DESCRIPTION = '`pending` (sent, not answered yet, or its node stopped before it was), `answered` (the answer is in `response`), '
  + '`callError` (the charger answered with a CALLERROR), `timeout`, `offline`, `invalid` (the request broke the schema; never sent), '
  + '`unavailable` (the node holding the charger could not be reached), `failed` (anything else)';

const CommandJson = Type.Object({
  commandId: Type.String({ format: 'uuid' }),
  chargerId: Type.Integer({ description: 'The charger (connectorID)' }),
  connectorId: Type.Union([Type.Integer(), Type.Null()], { description: 'The request\'s connectorId, when it has one' }),
  action: Type.String({ description: 'The OCPP command' }),
  subsystem: Type.String({
    description: 'Who sent it: operator (an admin over HTTP), sessions, reservations, selftest, jobs, security, configuration, '
      + 'availability, localList, chargingProfiles, firmware, diagnostics or balancing (the site load balancer)',
  }),
  userId: Type.Union([Type.Integer(), Type.Null()], { description: 'The user or admin on whose behalf it was sent' }),
  node: Type.String({ description: 'The node that sent it' }),
  request: Type.Object({}, { additionalProperties: true, description: 'The request payload (a charger password sent with ChangeConfiguration AuthorizationKey shows as `(secret)`)' }),
  outcome: Type.Unsafe<CommandOutcome>({ type: 'string', enum: [...COMMAND_OUTCOMES], description: OUTCOME_DESCRIPTION }),
  status: Type.Union([Type.String(), Type.Null()], { description: 'The `status` of the answer, when it has one' }),
  response: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: 'The charger\'s answer' }),
  error: Type.Union([Type.Object({
    code: Type.String({ description: 'chargerOffline, chargerTimeout, the CALLERROR code, clusterUnavailable, invalidCommand, …' }),
    message: Type.String(),
  }), Type.Null()], { description: 'Why it failed' }),
  sentAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it was answered or failed' }),
  durationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'From sending to its end, in ms' }),
});

const COMMAND_EXAMPLE = {
  commandId: '3b0e4c8e-6a51-4b0f-9b8e-1c2d3e4f5a6b', chargerId: 100001, connectorId: null, action: 'Reset', subsystem: 'operator', userId: 1,
  node: 'node-a1b2c3', request: { type: 'Soft' }, outcome: 'answered' as const, status: 'Accepted', response: { status: 'Accepted' }, error: null,
  sentAt: '2026-06-02T08:15:00.120Z', finishedAt: '2026-06-02T08:15:00.245Z', durationMs: 125,
};

const FrameJson = Type.Object({
  id: Type.Integer(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')], { description: '`in` from the charger, `out` to it' }),
  at: Type.String({ format: 'date-time' }),
  messageType: Type.Union([Type.Integer(), Type.Null()], { description: '2 CALL, 3 CALLRESULT, 4 CALLERROR; null when the frame is not an OCPP-J array' }),
  messageId: Type.Union([Type.String(), Type.Null()]),
  action: Type.Union([Type.String(), Type.Null()], { description: 'The action of a CALL' }),
  frame: Type.String({ description: 'The frame as it went over the wire' }),
});

/**
 * The history of the commands sent to chargers (whoever sent them), and the OCPP frames the
 * message log stored, for admins.
 */
export function commandHistoryRoutes({ db, guards, config }: HttpContext) {
  return async (app: App) => {
    app.get('/chargers/:id/commands', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargerCommands', tag: TAG.commands, access: 'admin', summary: 'A charger\'s command history',
        description: 'Every command sent to the charger (over HTTP, by session flows, reservations, the self-test, jobs and the other subsystems), '
          + `newest first, \`limit\` at a time (default ${DEFAULT_PAGE}); pass the \`nextBefore\` of a page as \`before\` to read on. `
          + '`action` and `outcome` filter. A command in flight shows as `pending`.',
        errors: { 400: badQuery(['invalidCursor'], 'before: no command 3b0e4c8e-6a51-4b0f-9b8e-1c2d3e4f5a6b of charger 100001'), 404: unknownCharger },
      }, {
        params: ChargerParam,
        querystring: Type.Object({
          limit: Limit,
          before: Type.Optional(Type.String({ 'x-error-code': 'invalidCursor', description: 'The `nextBefore` of the previous page (a commandId)' })),
          action: Type.Optional(Type.Unsafe<CommandAction>({ type: 'string', enum: [...COMMAND_ACTIONS], 'x-error-code': 'invalidAction', description: 'Only this command' })),
          outcome: Type.Optional(Type.Unsafe<CommandOutcome>({ type: 'string', enum: [...COMMAND_OUTCOMES], 'x-error-code': 'invalidOutcome', description: 'Only commands that ended so' })),
        }),
        response: {
          200: json('A page of the history', Type.Object({
            commands: Type.Array(CommandJson),
            nextBefore: Type.Union([Type.String(), Type.Null()], { description: 'The `before` of the next page; null on the last page' }),
          }), { commands: [COMMAND_EXAMPLE], nextBefore: null }),
        },
      }),
    }, async (request) => {
      const { id } = request.params;
      await getCharger(db, id);
      const { limit = DEFAULT_PAGE, before, action, outcome } = request.query;
      return listCommands(db, id, { limit, before, action, outcome });
    });

    app.get('/commands/:commandId', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getCommand', tag: TAG.commands, access: 'admin', summary: 'One command of the history',
        description: 'A command sent to a charger: who sent it, when, its request, and the answer or the error, with its duration.',
        errors: { 404: { description: 'No command has this id', codes: ['notFoundError'], message: 'Command 3b0e4c8e-6a51-4b0f-9b8e-1c2d3e4f5a6b not found' } },
      }, {
        params: Type.Object({ commandId: Type.String({ description: 'The commandId', examples: [COMMAND_EXAMPLE.commandId] }) }),
        response: { 200: json('The command', CommandJson, COMMAND_EXAMPLE) },
      }),
    }, async (request) => getCommand(db, request.params.commandId));

    app.get('/chargers/:id/messages', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargerMessages', tag: TAG.commands, access: 'admin', summary: 'A charger\'s stored OCPP frames',
        description: 'The OCPP frames exchanged with the charger as the message log stored them (only while `OCPP_MESSAGE_LOG=1`; '
          + '`messageLog` says whether it is on now), newest first, `limit` at a time (default '
          + `${DEFAULT_PAGE}); pass the \`nextBefore\` of a page as \`before\` to read on. \`direction\` filters. Frames reach the database about a second after they pass.`,
        errors: { 400: badQuery(['invalidLimit'], 'querystring/limit must be <= 500'), 404: unknownCharger },
      }, {
        params: ChargerParam,
        querystring: Type.Object({
          limit: Limit,
          before: Type.Optional(Type.Integer({ minimum: 1, 'x-error-code': 'invalidBefore', description: 'The `nextBefore` of the previous page (a frame id)' })),
          direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')], { 'x-error-code': 'invalidDirection', description: '`in` from the charger, `out` to it' })),
        }),
        response: {
          200: json('A page of frames', Type.Object({
            messageLog: Type.Boolean({ description: 'Whether this node stores frames now (OCPP_MESSAGE_LOG=1)' }),
            frames: Type.Array(FrameJson),
            nextBefore: Type.Union([Type.Integer(), Type.Null()], { description: 'The `before` of the next page; null on the last page' }),
          }), {
            messageLog: true,
            frames: [{ id: 812, direction: 'in', at: '2026-06-02T08:15:00.244Z', messageType: 3, messageId: '17', action: null, frame: '[3,"17",{"status":"Accepted"}]' }],
            nextBefore: null,
          }),
        },
      }),
    }, async (request) => {
      const { id } = request.params;
      await getCharger(db, id);
      const { limit = DEFAULT_PAGE, before, direction } = request.query;
      return { messageLog: config.ocpp.messageLog, ...(await listFrames(db, id, { limit, before, direction })) };
    });
  };
}
