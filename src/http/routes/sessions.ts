import { Type } from '@sinclair/typebox';
import type { SessionStatus } from '../../db/schema.ts';
import {
  listSessions, MAX_SESSION_METER_VALUES, readSessionDetail, SESSION_STATUSES, type SessionDetail, type SessionSummary,
} from '../../domain/sessions/sessionList.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { ChargerIdField, IdParam } from '../schemas.ts';
import { chargingPlanJson, ChargingPlanJson } from './chargingPlanShapes.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description === undefined ? {} : { description });
const Time = Type.String({ format: 'date-time' });
const StatusSchema = Type.Unsafe<SessionStatus>({ type: 'string', enum: [...SESSION_STATUSES] });

const summaryProperties = {
  id: Type.Integer({ description: 'The session (transactionID)' }),
  chargerId: nullable(Type.Integer(), 'The charger (connectorID)'),
  connectorId: nullable(Type.Integer(), 'The charger\'s OCPP connector'),
  userId: nullable(Type.Integer(), 'The user whose session it is; null for a card not linked to a user'),
  userEmail: nullable(Type.String(), 'That user\'s e-mail address'),
  idTag: nullable(Type.String(), 'The card (OCPP idTag) that started it'),
  status: { ...StatusSchema, description: 'Created → Starting → Charging (→ Stopping) → Completed; or Failed, Cancelled' },
  paymentMethod: Type.String({ description: '`klarna`, `invoice`, …' }),
  energyWh: Type.Integer({ description: 'Energy delivered (a running session: as last stored)' }),
  powerW: nullable(Type.Integer(), 'The last reported power'),
  priceOre: nullable(Type.Integer(), 'The final price in öre; null until priced'),
  startedAt: nullable(Time, 'When the charger began it'),
  stoppedAt: nullable(Time),
  stopReason: nullable(Type.String(), 'The OCPP stop reason'),
  createdAt: Time,
};
const SessionSummaryJson = Type.Object(summaryProperties, { $id: 'SessionSummary', description: 'A charging session as the operator dashboard lists it' });

const SUMMARY_EXAMPLE = {
  id: 7, chargerId: 100001, connectorId: 1, userId: 12, userEmail: 'driver@example.com', idTag: null, status: 'Completed' as const,
  paymentMethod: 'klarna', energyWh: 11234, powerW: null, priceOre: 4493, startedAt: '2026-06-02T08:00:05.000Z', stoppedAt: '2026-06-02T09:01:40.000Z',
  stopReason: 'Remote', createdAt: '2026-06-02T08:00:00.000Z',
};

const DetailJson = Type.Object({
  session: Type.Object({
    ...summaryProperties,
    pricePerKwhOre: Type.Integer({ description: 'The price per kWh when it started' }),
    discountOre: Type.Integer(),
    meterStartWh: nullable(Type.Integer(), 'The meter register at the start'),
    meterStopWh: nullable(Type.Integer(), 'The meter register at the stop'),
    socPercent: nullable(Type.Integer(), 'The car\'s state of charge, last reported'),
    flags: Type.Array(Type.String(), { description: 'What was odd about it (a corrected meter reading, a stop by the central system, …)' }),
  }),
  meterValues: Type.Array(Type.Object({
    at: Time,
    measurand: Type.String({ description: 'Energy.Active.Import.Register, Power.Active.Import, SoC, …' }),
    phase: nullable(Type.String()),
    value: nullable(Type.Number()),
    unit: nullable(Type.String(), 'As the charger sent it'),
  }), { description: `The readings, oldest first; at most ${MAX_SESSION_METER_VALUES}` }),
  priceLines: nullable(Type.Array(Type.Object({
    kind: Type.Optional(Type.Literal('fee', { description: 'The charge point\'s fee per session' })),
    hour: Time,
    energyWh: Type.Integer(),
    pricePerKwhOre: Type.Integer(),
    amountOre: Type.Integer(),
  })), 'The price hour by hour (and the session fee) once the session is priced; null before'),
  payments: Type.Array(Type.Object({
    id: Type.Integer(),
    provider: Type.Union([Type.Literal('klarna'), Type.Literal('invoice')]),
    status: Type.String({ description: 'Open, Authorized, Released, Captured, Invoiced, NothingOwed or SettlementFailed' }),
    authorizedOre: Type.Integer(),
    capturedOre: Type.Integer(),
    refundedOre: Type.Integer(),
    createdAt: Time,
    events: Type.Array(Type.Object({
      at: Time,
      operation: Type.String({ description: 'The call to the payment provider' }),
      outcome: Type.String(),
      httpStatus: nullable(Type.Integer()),
      detail: nullable(Type.String()),
    }), { description: 'Every call to the payment provider, oldest first' }),
  })),
  chargingPlan: nullable(ChargingPlanJson, 'The driver\'s plan to have it charged by a time in the cheapest hours; null without one'),
});

const DETAIL_EXAMPLE = {
  session: { ...SUMMARY_EXAMPLE, pricePerKwhOre: 399, discountOre: 0, meterStartWh: 1_000_000, meterStopWh: 1_011_234, socPercent: 80, flags: [] },
  meterValues: [
    { at: '2026-06-02T08:01:00.000Z', measurand: 'Energy.Active.Import.Register', phase: null, value: 1_000_180, unit: 'Wh' },
    { at: '2026-06-02T08:01:00.000Z', measurand: 'Power.Active.Import', phase: null, value: 11000, unit: 'W' },
  ],
  priceLines: [
    { hour: '2026-06-02T08:00:00.000Z', energyWh: 10_900, pricePerKwhOre: 399, amountOre: 4349 },
    { hour: '2026-06-02T09:00:00.000Z', energyWh: 334, pricePerKwhOre: 431, amountOre: 144 },
  ],
  payments: [{
    id: 3, provider: 'klarna' as const, status: 'Captured', authorizedOre: 30000, capturedOre: 4493, refundedOre: 0, createdAt: '2026-06-02T08:00:00.000Z',
    events: [
      { at: '2026-06-02T08:00:00.200Z', operation: 'createSession', outcome: 'ok', httpStatus: 200, detail: null },
      { at: '2026-06-02T09:01:41.000Z', operation: 'capture', outcome: 'ok', httpStatus: 201, detail: null },
    ],
  }],
  chargingPlan: null,
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

function summaryJson<T extends SessionSummary>(session: T) {
  return { ...session, startedAt: iso(session.startedAt), stoppedAt: iso(session.stoppedAt), createdAt: session.createdAt.toISOString() };
}

function detailJson({ session, meterValues, priceLines, payments, chargingPlan }: SessionDetail) {
  return {
    session: summaryJson(session),
    meterValues: meterValues.map((reading) => ({ ...reading, at: reading.at.toISOString() })),
    priceLines,
    payments: payments.map((payment) => ({
      ...payment,
      createdAt: payment.createdAt.toISOString(),
      events: payment.events.map((event) => ({ ...event, at: event.at.toISOString() })),
    })),
    chargingPlan: chargingPlan ? chargingPlanJson(chargingPlan) : null,
  };
}

/** Every charging session, for the operator dashboard: a filtered list and one session in full. */
export function sessionListRoutes({ db, guards, liveSummary }: HttpContext) {
  return async (app: App) => {
    app.addSchema(SessionSummaryJson);

    app.get('/sessions', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listSessions', tag: TAG.dashboard, access: 'admin', summary: 'Charging sessions, filtered, newest first',
        description: `Sessions newest first, \`limit\` at a time (default ${DEFAULT_PAGE}, at most ${MAX_PAGE}); pass the \`nextBefore\` of a page as \`before\` `
          + 'to read on. `chargerId`, `userId` and `status` filter; `from` and `to` bound when a session started (when it was created, if it never started): '
          + '`from` ≤ it < `to`.',
        errors: {
          400: {
            description: 'A query value is not allowed, or `from` is after `to`',
            codes: ['invalidStatus', 'invalidFrom', 'invalidTo', 'invalidLimit', 'invalidCursor', 'invalidconnectorID', 'invalidUserId', 'invalidTimeRange'],
            message: 'querystring/status must be equal to one of the allowed values',
          },
        },
      }, {
        querystring: Type.Object({
          chargerId: Type.Optional(ChargerIdField),
          userId: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidUserId', description: 'Only this user\'s sessions' })),
          status: Type.Optional({ ...StatusSchema, 'x-error-code': 'invalidStatus', description: 'Only sessions in this status' }),
          from: Type.Optional(Type.String({ format: 'date-time', 'x-error-code': 'invalidFrom', description: 'Sessions that started at or after this time (ISO 8601)' })),
          to: Type.Optional(Type.String({ format: 'date-time', 'x-error-code': 'invalidTo', description: 'Sessions that started before this time (ISO 8601)' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, 'x-error-code': 'invalidLimit', description: `Page size, default ${DEFAULT_PAGE}` })),
          before: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidCursor', description: 'The `nextBefore` of the previous page' })),
        }),
        response: {
          200: json('A page of sessions', Type.Object({
            sessions: Type.Array(Type.Ref(SessionSummaryJson)),
            nextBefore: nullable(Type.Integer(), 'The `before` of the next page; null on the last page'),
          }), { sessions: [SUMMARY_EXAMPLE], nextBefore: null }),
        },
      }),
    }, async (request) => {
      const { chargerId, userId, status, from, to, limit = DEFAULT_PAGE, before } = request.query;
      const page = await listSessions(db, {
        chargerId, userId, status, limit, before, from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to),
      });
      return { sessions: page.sessions.map(summaryJson), nextBefore: page.nextBefore };
    });

    app.get('/sessions/:id', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getSessionDetail', tag: TAG.dashboard, access: 'admin', summary: 'One charging session in full',
        description: 'The session (a running one as its charger last reported it), its meter readings, its price line by line once priced, '
          + 'and its payments with every call made to the payment provider.',
        errors: {
          400: { description: '`id` is not an integer', codes: ['invalidTransactionId', 'invalidDataType'], message: 'params/id must be integer' },
          404: { description: 'No session has this id', codes: ['notFoundError'], message: 'Session 999 not found' },
        },
      }, {
        params: IdParam('invalidTransactionId', 'The session (transactionID)', 7),
        response: { 200: json('The session', DetailJson, DETAIL_EXAMPLE) },
      }),
    }, async (request) => detailJson(await readSessionDetail(db, request.params.id, liveSummary)));
  };
}
