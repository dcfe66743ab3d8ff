import { Type, type TSchema } from '@sinclair/typebox';
import { COMMAND_ACTIONS, type CommandAction, type CommandOrigin, type CommandRequest } from '../../domain/chargerGateway.ts';
import { BULK_CONCURRENCY, bulkChargers, sendToMany } from '../../domain/commandBulk.ts';
import { getCharger } from '../../domain/chargers.ts';
import { DomainError } from '../../domain/errors.ts';
import { officialSchema } from '../../ocpp/protocol/schemas.ts';
import { COMMAND_EXAMPLES } from '../commandExamples.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG, type ErrorDoc } from '../openapi.ts';
import { ChargerIdField, IdParam } from '../schemas.ts';

/** Most chargers one bulk request may name; a whole fleet is reached a charge point at a time. */
const MAX_BULK_CHARGERS = 1000;

const UUID_EXAMPLE = '3b0e4c8e-6a51-4b0f-9b8e-1c2d3e4f5a6b';

/** The official schema of a command's request or answer, as a route schema (Ajv and the OpenAPI document read it as it is). */
const official = (action: CommandAction, part: 'req' | 'conf', description: string) =>
  Type.Unsafe<Record<string, unknown>>({ ...officialSchema(action, part), description });

const statusOf = (response: Record<string, unknown>) => (typeof response.status === 'string' ? response.status : 'Answered');

const STATUS_DESCRIPTION = 'The `status` of the charger\'s answer (Accepted, Rejected, …), or `Answered` for an answer without one';

function badBody(action: CommandAction): ErrorDoc {
  const [required] = (officialSchema(action, 'req').required as string[] | undefined) ?? [];
  return {
    description: `The body is not a valid ${action}.req: the message names what the official schema found`,
    codes: ['invalidInput'],
    message: required ? `body must have required property '${required}'` : 'body must NOT have additional properties',
  };
}

const CHARGER_ERRORS = {
  409: { description: 'The charger is not connected to any node', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' },
  502: { description: 'The charger answered with a CALLERROR (its code is in errorCodes)', codes: ['NotSupported'], message: 'Charger 100001 answered Reset with NotSupported: …' },
  503: {
    description: 'The node holding the charger cannot be reached (`clusterUnavailable`) or the database cannot (`databaseUnavailable`); try again shortly',
    codes: ['clusterUnavailable'], message: 'The other nodes cannot be reached right now (NATS is down); try again shortly',
  },
  504: { description: 'The charger did not answer within OCPP_CALL_TIMEOUT', codes: ['chargerTimeout'], message: 'Charger 100001: GetConfiguration was not answered within 30 s' },
} satisfies Record<number, ErrorDoc>;

const BulkResultJson = (answer: TSchema) => Type.Object({
  chargerId: Type.Integer({ description: 'The charger (connectorID)' }),
  commandId: Type.String({ format: 'uuid', description: 'Its command in the command history' }),
  status: Type.Union([Type.String(), Type.Null()], { description: `${STATUS_DESCRIPTION}; null when it failed` }),
  response: Type.Union([answer, Type.Null()], { description: 'The charger\'s answer; null when it failed' }),
  error: Type.Union([Type.Object({
    code: Type.String({ description: 'chargerOffline, chargerTimeout, the CALLERROR code, clusterUnavailable or invalidCommand' }),
    errorCodes: Type.Array(Type.String()),
    message: Type.String(),
  }), Type.Null()], { description: 'Why the command failed; null when the charger answered' }),
});

/**
 * Admins send any command of OCPP 1.6 and of its Security Whitepaper to a charger, or to
 * many at once: one route per command, whose body is validated by (and documented with)
 * the command's official request schema. Every command lands in the command history.
 */
export function commandRoutes({ db, guards, gateway }: HttpContext) {
  return async (app: App) => {
    for (const action of COMMAND_ACTIONS) {
      const example = COMMAND_EXAMPLES[action];
      const answerSchema = (description: string) => official(action, 'conf', description);

      app.post(`/chargers/:id/commands/${action}`, {
        onRequest: guards.admin,
        schema: operation({
          id: `send${action}`, tag: TAG.commands, access: 'admin', summary: `Send ${action} to a charger`,
          description: `Sends OCPP \`${action}\` with the body as its request payload to the charger, on whichever node holds its connection, `
            + 'shaped for the charger\'s dialect, and answers with the charger\'s answer and the command\'s id in the command history '
            + '(`GET /commands/{commandId}`). Failures are in the history too.',
          errors: { 400: badBody(action), 404: 'No charger has this connectorID', ...CHARGER_ERRORS },
        }, {
          params: IdParam('invalidconnectorID', 'connectorID of the charger', 100000),
          body: Type.Unsafe<Record<string, unknown>>({ ...officialSchema(action, 'req'), description: `The ${action}.req payload of OCPP 1.6`, examples: [example.request] }),
          response: {
            200: json('The charger answered', Type.Object({
              commandId: Type.String({ format: 'uuid', description: 'The command in the command history' }),
              status: Type.String({ description: STATUS_DESCRIPTION }),
              response: answerSchema(`The charger's ${action}.conf`),
            }), { commandId: UUID_EXAMPLE, status: statusOf(example.answer), response: example.answer }),
          },
        }),
      }, async (request) => {
        const { id } = request.params;
        await getCharger(db, id);
        const origin: CommandOrigin = { subsystem: 'operator', userId: request.auth!.userId };
        const result = await gateway.command(id, action, request.body as CommandRequest<typeof action>, origin);
        // Answered once the history shows it, so a read right after finds it.
        await result.recorded;
        if (!result.answered) throw result.error;
        const response = result.response as Record<string, unknown>;
        return { commandId: result.commandId, status: statusOf(response), response };
      });

      app.post(`/commands/${action}`, {
        onRequest: guards.admin,
        schema: operation({
          id: `sendBulk${action}`, tag: TAG.commands, access: 'admin', summary: `Send ${action} to many chargers`,
          description: `Sends OCPP \`${action}\` with \`request\` as its payload to each charger named by \`chargerIds\`, or to every charger `
            + `of the charge point \`chargePointId\` (name one of them), ${BULK_CONCURRENCY} chargers at a time, and answers once all have `
            + 'answered or failed: one result per charger, in charger id order, each with its command\'s id in the command history. '
            + 'A charger that is offline, does not answer or answers with a CALLERROR has its error in its result; the request as a whole succeeds.',
          errors: {
            400: { description: 'Not exactly one of `chargerIds` and `chargePointId`, or `request` is not a valid request of this command', codes: ['invalidTarget'], message: 'Name the chargers with either chargerIds or chargePointId' },
            404: { description: 'A listed charger or the charge point does not exist (nothing was sent)', codes: ['notFoundError'], message: 'Chargers not found: 999999' },
          },
        }, {
          body: Type.Object({
            chargerIds: Type.Optional(Type.Array(ChargerIdField, { minItems: 1, maxItems: MAX_BULK_CHARGERS, description: `The chargers (at most ${MAX_BULK_CHARGERS})` })),
            chargePointId: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidChargePointID', description: 'Every charger of this charge point' })),
            request: official(action, 'req', `The ${action}.req payload of OCPP 1.6, the same for every charger`),
          }, { additionalProperties: false, examples: [{ chargerIds: [100001, 100002], request: example.request }] }),
          response: {
            200: json('Each charger\'s result', Type.Object({ results: Type.Array(BulkResultJson(answerSchema(`The charger's ${action}.conf, when it answered`))) }), {
              results: [
                { chargerId: 100001, commandId: UUID_EXAMPLE, status: statusOf(example.answer), response: example.answer, error: null },
                {
                  chargerId: 100002, commandId: 'c1f2e3d4-5b6a-4789-8a9b-0c1d2e3f4a5b', status: null, response: null,
                  error: { code: 'chargerOffline', errorCodes: ['chargerOffline'], message: 'Charger 100002 is not connected' },
                },
              ],
            }),
          },
        }),
      }, async (request) => {
        const { chargerIds, chargePointId } = request.body;
        if ((chargerIds === undefined) === (chargePointId === undefined)) {
          throw new DomainError('invalid', ['invalidTarget'], 'Name the chargers with either chargerIds or chargePointId');
        }
        const targets = await bulkChargers(db, chargerIds ? { chargerIds } : { chargePointId: chargePointId! });
        const origin: CommandOrigin = { subsystem: 'operator', userId: request.auth!.userId };
        return { results: await sendToMany(gateway, targets, action, request.body.request as CommandRequest<typeof action>, origin) };
      });
    }
  };
}
