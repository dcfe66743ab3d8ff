import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.ts';
import { MAX_WATCHED_CHARGERS, type FleetEventName, type FleetEvents, type FleetListener } from '../../live/fleetStream.ts';
import type { App, HttpContext } from '../context.ts';
import { operation, TAG } from '../openapi.ts';

/** A comment line that keeps proxies and the client from taking a quiet stream for a dead one. */
const PING_EVERY_MS = 15_000;
/** The longest setTimeout delay; a token valid longer ends the stream then (the client reconnects). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** What may wait in memory for a client that does not read: beyond it, the stream ends (the client reconnects and reads afresh). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const EVENTS_DOC = [
  '- `hello` `{nodeId}`: first, on every (re)connection; read `GET /fleet` again then',
  '- `status` `{chargerId, connectorId, status, errorCode, at}`: a StatusNotification was stored',
  '- `online` `{chargerId, nodeId}`: a charger connected (to that node)',
  '- `offline` `{chargerId}`: a charger\'s connection closed and no newer one replaced it, or the node holding it died (its lease lapsed)',
  '- `sessionStarted` `{chargerId, connectorId, sessionId}`, `sessionStopped` `{chargerId, sessionId}`',
  '- `meterValues` `{chargerId, connectorId, sessionId, energyWh, powerW, socPercent, at}`: a running session\'s new reading',
  '- `frame` `{chargerId, direction, at, frame}`: an OCPP frame (`in` from the charger, `out` to it) of a watched charger only',
  '- `selfTest` `{test, passed, done, total}`: a test of a running self-test (`GET /tests/ocpp`) finished',
  '- `balanced` `{chargePointId, at}`: a site\'s load balancer ran; read `GET /chargePoints/{id}/load` again for its limits',
].join('\n');

const STREAM_EXAMPLE = [
  'event: hello\ndata: {"nodeId":"node-a1b2c3"}\n',
  'event: status\ndata: {"chargerId":100001,"connectorId":1,"status":"Charging","errorCode":"NoError","at":"2026-06-02T08:00:00.000Z"}\n',
  'event: frame\ndata: {"chargerId":100001,"direction":"in","at":"2026-06-02T08:00:00.010Z","frame":"[2,\\"42\\",\\"Heartbeat\\",{}]"}\n',
  ': ping\n',
].join('\n');

/** The chargers named by `watch` (`100001,100002`), each once. */
function watchedChargers(watch: string | undefined): Set<number> {
  const chargerIds = new Set((watch ?? '').split(',').filter(Boolean).map(Number));
  if (chargerIds.size > MAX_WATCHED_CHARGERS) {
    throw new DomainError('invalid', ['invalidWatch'], `watch: at most ${MAX_WATCHED_CHARGERS} chargers at a time`);
  }
  return chargerIds;
}

/**
 * GET /live/fleet: the fleet's events from every node, as Server-Sent Events, for the operator
 * dashboard. The reply is taken over from Fastify (it never ends by itself): the stream ends
 * when the client goes, when its access token expires, or when this node shuts down.
 */
export function liveFleetRoutes({ guards, fleetStream }: HttpContext) {
  return async (app: App) => {
    // Open streams would keep the server from closing.
    app.addHook('preClose', async () => fleetStream.endAll());

    app.get('/live/fleet', {
      onRequest: guards.admin,
      schema: operation({
        id: 'streamFleetEvents', tag: TAG.dashboard, access: 'admin', summary: 'The fleet\'s live events (Server-Sent Events)',
        description: 'A `text/event-stream` of what happens on every node: each event is `event: <name>` and `data: <JSON>`; a comment `: ping` '
          + `comes every ${PING_EVERY_MS / 1000} s. Events:\n\n${EVENTS_DOC}\n\n`
          + `\`watch\` names up to ${MAX_WATCHED_CHARGERS} chargers (connectorIDs, comma-separated) whose OCPP frames come too; the node holding a `
          + 'charger\'s connection sends its frames only while someone watches it. The stream ends when the access token expires; '
          + 'connect again with a fresh one (events meanwhile are not replayed: `hello` says to read the state again).',
        errors: {
          400: { description: '`watch` is not a comma-separated list of connectorIDs, or names too many', codes: ['invalidWatch'], message: `watch: at most ${MAX_WATCHED_CHARGERS} chargers at a time` },
        },
      }, {
        querystring: Type.Object({
          watch: Type.Optional(Type.String({
            pattern: '^[0-9]{1,10}(,[0-9]{1,10})*$', 'x-error-code': 'invalidWatch',
            description: `Up to ${MAX_WATCHED_CHARGERS} chargers (connectorIDs, comma-separated) whose OCPP frames to receive`, examples: ['100001'],
          })),
        }),
        response: {
          200: {
            description: 'The event stream; it stays open',
            content: { 'text/event-stream': { schema: Type.String({ description: 'Server-Sent Events' }), example: STREAM_EXAMPLE } },
          },
        },
      }),
    }, async (request, reply) => {
      const watch = watchedChargers(request.query.watch);
      const expiresAt = request.auth?.expiresAt;
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        // The connection ends with the stream: a client reconnects on a new one, and the server
        // never keeps a connection that held a stream waiting for a next request.
        connection: 'close',
      });

      const timers: NodeJS.Timeout[] = [];
      let stop: (() => void) | undefined;
      const end = () => {
        for (const timer of timers) clearTimeout(timer);
        stop?.();
        if (!response.writableEnded) response.end();
      };
      const write = (text: string) => {
        if (response.writableEnded || response.destroyed) return;
        if (response.writableLength > MAX_BUFFERED_BYTES) {
          request.log.info('live stream client does not keep up; ending its stream');
          end();
          return;
        }
        response.write(text);
      };
      const listener: FleetListener = {
        watch,
        send<K extends FleetEventName>(name: K, event: FleetEvents[K]) {
          write(`event: ${name}\ndata: ${JSON.stringify(event)}\n\n`);
        },
        end,
      };
      response.on('close', end);
      timers.push(setInterval(() => write(': ping\n\n'), PING_EVERY_MS));
      if (expiresAt !== undefined) timers.push(setTimeout(end, Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS)));
      stop = fleetStream.open(listener);
    });
  };
}
