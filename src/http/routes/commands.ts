import { Type } from '@sinclair/typebox';
import { COMMAND_ACTIONS, type CommandAction } from '../../domain/chargerGateway.ts';
import { getCharger } from '../../domain/chargers.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const CommandAnswer = Type.Object({
  status: Type.String({ description: 'The `status` of the charger\'s answer (Accepted, Rejected, …), or `Answered` for answers without one' }),
  response: Type.Object({}, { additionalProperties: true, description: 'The charger\'s answer (its OCPP 1.6 `.conf` payload)' }),
}, { description: 'What the charger answered' });

/**
 * An admin sends any OCPP 1.6 command to a charger, on whichever node holds its socket.
 * The body is the command's request payload, checked against its official schema.
 */
export function commandRoutes({ db, guards, gateway }: HttpContext) {
  return async (app: App) => {
    app.post('/chargers/:id/commands/:action', {
      onRequest: guards.admin,
      schema: operation({
        id: 'sendChargerCommand', tag: TAG.chargers, access: 'admin', summary: 'Send an OCPP command to a charger',
        description: 'Sends the OCPP 1.6 command `action` with the body as its request payload (checked against the official schema) '
          + 'to the charger, whichever node holds its connection, and answers with the charger\'s answer.',
        errors: {
          400: { description: 'The body is not a valid request of this command', codes: ['invalidCommand'], message: 'GetConfiguration: key must be array' },
          404: 'No charger has this connectorID',
          409: { description: 'The charger is not connected to any node', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' },
          502: { description: 'The charger answered with a CALLERROR (its code is in errorCodes)', codes: ['NotSupported'], message: 'Charger 100001 answered Reset with NotSupported: …' },
          503: { description: 'The node holding the charger cannot be reached right now', codes: ['clusterUnavailable'], message: 'The other nodes cannot be reached right now (NATS is down); try again shortly' },
          504: { description: 'The charger did not answer within OCPP_CALL_TIMEOUT', codes: ['chargerTimeout'], message: 'Charger 100001: GetConfiguration was not answered within 30 s' },
        },
      }, {
        params: Type.Object({
          id: IdParam('invalidconnectorID', 'connectorID of the charger', 100000).properties.id,
          action: Type.Unsafe<CommandAction>({ type: 'string', enum: [...COMMAND_ACTIONS], 'x-error-code': 'invalidCommand', description: 'The OCPP 1.6 command', examples: ['GetConfiguration'] }),
        }),
        body: Type.Object({}, { additionalProperties: true, description: 'The command\'s OCPP 1.6 request payload', examples: [{ key: ['HeartbeatInterval'] }] }),
        response: { 200: json('The charger answered', CommandAnswer, { status: 'Answered', response: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] } }) },
      }),
    }, async (request) => {
      const { id, action } = request.params;
      await getCharger(db, id);
      const response = await gateway.send(id, action, request.body as never, { subsystem: 'operator', userId: request.auth!.userId }) as Record<string, unknown>;
      return { status: typeof response.status === 'string' ? response.status : 'Answered', response };
    });
  };
}
