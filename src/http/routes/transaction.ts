import { Type } from '@sinclair/typebox';
import { MAX_PLAN_AHEAD_MS, MAX_PLAN_ENERGY_WH, planOf } from '../../domain/balancing/chargingPlans.ts';
import type { SessionView } from '../../domain/sessions/views.ts';
import type { App, HttpContext } from '../context.ts';
import { DEMO_CHARGER_ID } from '../examples.ts';
import { json, noContent, operation, TAG } from '../openapi.ts';
import { ChargerIdField, IdParam, OcppConnectorField } from '../schemas.ts';
import { CHARGING_PLAN_EXAMPLE, chargingPlanJson, ChargingPlanJson } from './chargingPlanShapes.ts';

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : undefined);

/**
 * A session in the shape the apps read (clients.md): integers for ids, timestamps (epoch
 * seconds), kWh, percentage and öre amounts. Unknown values are left out rather than
 * null, which the Flutter app cannot take. The original's misspelt timestamp keys are
 * sent too.
 */
export function transactionJson(session: SessionView) {
  const start = seconds(session.startedAt);
  const end = seconds(session.stoppedAt);
  return {
    transactionID: session.id,
    ...(session.chargerId !== null ? { connectorID: session.chargerId } : {}),
    ...(session.userId !== null ? { userID: String(session.userId) } : {}),
    status: session.status,
    ...(start !== undefined ? { startTimestamp: start, startTimstamp: start } : {}),
    ...(end !== undefined ? { endTimestamp: end, endTimstamp: end } : {}),
    kwhTransferred: Math.round(session.energyWh / 1000),
    energyWh: session.energyWh,
    currentChargePercentage: session.socPercent ?? 0,
    ...(session.powerW !== null ? { chargingPowerW: session.powerW } : {}),
    pricePerKWh: session.pricePerKwhOre,
    pricePerKwh: session.pricePerKwhOre,
    price: session.priceOre,
    discount: session.discountOre,
    paymentMethod: session.paymentMethod,
    ...(session.paymentStatus !== null ? { paymentStatus: session.paymentStatus } : {}),
    klarnaClientToken: session.klarnaClientToken,
    klarnaSessionID: session.klarnaSessionId,
  };
}

const TransactionJson = Type.Object(
  {
    transactionID: Type.Integer(),
    connectorID: Type.Optional(Type.Integer({ description: 'The charger' })),
    userID: Type.Optional(Type.String()),
    status: Type.String({ description: 'Created, Starting, Charging, Stopping, Completed, Failed or Cancelled' }),
    startTimestamp: Type.Optional(Type.Integer({ description: 'Epoch seconds' })),
    startTimstamp: Type.Optional(Type.Integer({ description: 'The original spelling of startTimestamp' })),
    endTimestamp: Type.Optional(Type.Integer({ description: 'Epoch seconds' })),
    endTimstamp: Type.Optional(Type.Integer({ description: 'The original spelling of endTimestamp' })),
    kwhTransferred: Type.Integer({ description: 'Whole kWh' }),
    energyWh: Type.Integer(),
    currentChargePercentage: Type.Integer(),
    chargingPowerW: Type.Optional(Type.Integer()),
    pricePerKWh: Type.Integer({ description: 'öre per kWh when the session started' }),
    pricePerKwh: Type.Integer({ description: 'The same, as the Android app spells it' }),
    price: Type.Integer({ description: 'öre; the final price once completed, the running estimate before' }),
    discount: Type.Integer(),
    paymentMethod: Type.String(),
    paymentStatus: Type.Optional(Type.String()),
    klarnaClientToken: Type.String(),
    klarnaSessionID: Type.String(),
    chargingPlan: Type.Optional(Type.Union([ChargingPlanJson, Type.Null()], {
      description: 'Only in `GET /transaction/{id}`: the plan set with `PUT /transaction/{id}/plan`; null without one',
    })),
  },
  { $id: 'Transaction', description: 'A charging session as the apps read it; unknown values are left out' },
);

const TransactionId = IdParam('invalidTransactionID', 'transactionID', 42);
const tag = TAG.transaction;
const charging = {
  transactionID: 42, connectorID: DEMO_CHARGER_ID, userID: '2', status: 'Charging', startTimestamp: 1748852100, startTimstamp: 1748852100,
  kwhTransferred: 12, energyWh: 12480, currentChargePercentage: 64, chargingPowerW: 11000, pricePerKWh: 461, pricePerKwh: 461,
  price: 5753, discount: 0, paymentMethod: 'invoice', klarnaClientToken: '', klarnaSessionID: '',
};
const completed = {
  ...charging, status: 'Completed', endTimestamp: 1748858400, endTimstamp: 1748858400, kwhTransferred: 20, energyWh: 20100,
  currentChargePercentage: 92, price: 9266, paymentStatus: 'Invoiced',
};
const own = 'Signed-in users for their own sessions; admins for any (someone else\'s session is answered 404).';
const badId = '`id` is not a transactionID (an integer)';
const unknownSession = 'No such session, or not the caller\'s';
const chargerUnreachable = { 502: 'The charger answered the command with an error, or the payment provider failed', 504: 'The charger did not answer in time' };

/** The charging flow of the current apps: create → start → poll → stop. */
export function transactionRoutes({ db, guards, sessions, sessionViews, settlement, chargingPlans }: HttpContext) {
  return async (app: App) => {
    app.addSchema(TransactionJson);
    const TransactionRef = Type.Ref(TransactionJson);

    app.post('/transaction', {
      onRequest: guards.user,
      schema: operation({
        id: 'createTransaction', tag, access: 'user', summary: 'Create a charging session',
        description: 'Checks that the charger is online and Available (or reserved by you), reserves it (ReserveNow) and opens the '
          + 'payment for the charge point\'s `klarnaReservationAmount`. Start it with `PUT /transaction/start/{id}`. '
          + 'On a charger with several connectors, `ocppConnectorId` picks one (default 1); each connector takes its own session.',
        errors: {
          400: 'Invalid connectorID, ocppConnectorId or paymentType, or the payment provider refused',
          404: 'No charger has this connectorID, or it has no such connector (`connectorNotFound`)',
          409: 'The charger is offline (`chargerOffline`), reserved by someone else (`chargerReserved`), not Available (`chargerNotAvailable`) '
            + 'or refused the reservation (`couldNotReserveCharger`)',
          ...chargerUnreachable,
        },
      }, {
        body: Type.Object({
          connectorID: ChargerIdField,
          ocppConnectorId: Type.Optional(OcppConnectorField),
          paymentType: Type.Optional(Type.String({ maxLength: 40, 'x-error-code': 'invalidPaymentMethod', description: 'As the apps send it, e.g. `klarna`' })),
        }, { 'x-error-code': 'invalidconnectorID', examples: [{ connectorID: DEMO_CHARGER_ID, paymentType: 'klarna' }] }),
        response: {
          201: json(
            'The session, created; with a payment provider, the client token and session id for its widget (else empty strings)',
            Type.Object({ klarnaClientToken: Type.String(), klarnaSessionID: Type.String(), transactionID: Type.Integer() }),
            { klarnaClientToken: '', klarnaSessionID: '', transactionID: 42 },
          ),
        },
      }),
    }, async (request, reply) => {
      const session = await sessions.create(request.body.connectorID, request.auth!.userId, request.body.paymentType ?? 'klarna', request.body.ocppConnectorId);
      return reply.status(201).send({ klarnaClientToken: session.klarnaClientToken, klarnaSessionID: session.klarnaSessionId, transactionID: session.id });
    });

    app.put('/transaction/start/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'startTransaction', tag, access: 'user', who: own, summary: 'Start charging',
        description: 'Sends RemoteStartTransaction and waits (up to OCPP_START_TIMEOUT) for the charger\'s StartTransaction; with a '
          + 'payment provider, `authorization_token` from its widget turns into a hold on the amount. A body is optional.',
        errors: {
          400: `${badId}, or the payment is not authorized (\`klarnaNotAuthorized\`)`, 404: unknownSession,
          409: 'The session cannot start (`sessionNotStartable`) or the charger refused (`couldNotStartTransaction`)', ...chargerUnreachable,
        },
      }, {
        params: TransactionId,
        body: Type.Object({
          authorization_token: Type.Optional(Type.String({ maxLength: 4096, description: 'From the Klarna widget' })),
          transactionID: Type.Optional(Type.Unknown({ description: 'Ignored; the path names the session' })),
        }, { examples: [{}] }),
        response: { 200: json('Charging', TransactionRef, charging) },
      }),
    }, async (request) => transactionJson(await sessions.start(request.params.id, request.auth!, request.body.authorization_token)));

    app.get('/transaction/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'getTransaction', tag, access: 'user', who: own, summary: 'A session, live while it charges',
        description: 'The session with its energy, charge level and running price; the apps poll it every few seconds while charging.',
        errors: { 400: badId, 404: unknownSession },
      }, {
        params: TransactionId,
        response: { 200: json('The session, with its charging plan', TransactionRef, { ...charging, chargingPlan: CHARGING_PLAN_EXAMPLE }) },
      }),
    }, async (request) => {
      const session = transactionJson(await sessionViews.get(request.params.id, request.auth!));
      const plan = await planOf(db, request.params.id);
      return { ...session, chargingPlan: plan ? chargingPlanJson(plan) : null };
    });

    app.put('/transaction/stop/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'stopTransaction', tag, access: 'user', who: own, summary: 'Stop charging',
        description: 'Sends RemoteStopTransaction, waits for the charger\'s StopTransaction, prices the energy and settles the payment '
          + '(captured, or invoiced monthly).',
        errors: {
          400: badId, 404: unknownSession,
          409: 'The session is not charging (`sessionNotStoppable`) or the charger refused (`couldNotStopTransaction`)', ...chargerUnreachable,
        },
      }, {
        params: TransactionId,
        response: { 200: json('Stopped, priced and settled', TransactionRef, completed) },
      }),
    }, async (request) => transactionJson(await sessions.stop(request.params.id, request.auth!)));

    app.post('/transaction/:id/refund', {
      onRequest: guards.admin,
      schema: operation({
        id: 'refundTransaction', tag, access: 'admin', summary: "Refund part or all of a session's captured payment",
        description: 'Refunds `amount` öre of the payment captured for the session. `{id}` is a transactionID (an integer), so '
          + '`/transaction/start/…`, `/transaction/stop/…`, `/transaction/userTransactions/…` and `/transaction/chargerTransactions/…` '
          + 'are other routes, not refunds.',
        errors: {
          400: `${badId}, or an invalid amount (\`invalidRefund\`)`, 404: 'The session has no payment',
          409: 'Nothing was captured (`refundNotPossible`): sessions payable by invoice are credited on the invoice',
          502: 'The payment provider refused or failed',
        },
      }, {
        params: TransactionId,
        body: Type.Object(
          { amount: Type.Integer({ minimum: 1, maximum: 100_000_000, 'x-error-code': 'invalidRefund', description: 'öre' }) },
          { 'x-error-code': 'invalidRefund', examples: [{ amount: 2500 }] },
        ),
        response: { 200: json('The session after the refund', TransactionRef, { ...completed, paymentMethod: 'klarna', paymentStatus: 'Captured' }) },
      }),
    }, async (request) => transactionJson(await settlement.refund(request.params.id, request.body.amount)));

    app.get('/transaction/userTransactions/:userID', {
      onRequest: guards.user,
      schema: operation({
        id: 'listUserTransactions', tag, access: 'user', summary: "A user's sessions",
        description: 'The user\'s sessions, newest first.',
        who: 'Signed-in users for their own id; admins for anyone\'s.',
        errors: { 400: '`userID` is not an integer (`invalidUserID`)', 403: 'Not the caller\'s own user id' },
      }, {
        params: Type.Object({ userID: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidUserID', examples: [2] }) }),
        response: { 200: json('The sessions; `[]` when there are none', Type.Array(TransactionRef), [completed]) },
      }),
    }, async (request) => (await sessionViews.listForUser(request.params.userID, request.auth!)).map(transactionJson));

    app.get('/transaction/chargerTransactions/:connectorID', {
      onRequest: guards.user,
      schema: operation({
        id: 'listChargerTransactions', tag, access: 'user', summary: "A charger's sessions",
        description: 'The charger\'s sessions, newest first.',
        who: 'Signed-in users (their own sessions at the charger) and admins (all of them).',
        errors: { 400: '`connectorID` is not an integer (`invalidconnectorID`)' },
      }, {
        params: Type.Object({ connectorID: { ...ChargerIdField, examples: [DEMO_CHARGER_ID] } }),
        response: { 200: json('The sessions; `[]` when there are none', Type.Array(TransactionRef), [completed]) },
      }),
    }, async (request) => (await sessionViews.listForCharger(request.params.connectorID, request.auth!)).map(transactionJson));

    app.put('/transaction/:id/plan', {
      onRequest: guards.user,
      schema: operation({
        id: 'setChargingPlan', tag, access: 'user', who: own, summary: 'Have a session charged by a time, in the cheapest hours',
        description: 'Plans `energyWh` more energy into the cheapest hours (site price + electricity tariff) before `readyBy`, each at the full current '
          + 'the charger and its site allow the session; the last hour chosen only for as long as needed. The site\'s load balancer holds the session '
          + 'to the plan. A new plan replaces the old one; the plan shows in `GET /transaction/{id}` as `chargingPlan`. With too little time, every '
          + `hour is used and \`plannedEnergyWh\` is less than asked. \`readyBy\` is at most ${MAX_PLAN_AHEAD_MS / 3_600_000} hours ahead.`,
        errors: {
          400: {
            description: `${badId}, \`readyBy\` is not in the future or too far ahead (\`invalidReadyBy\`), or \`energyWh\` is not 1–${MAX_PLAN_ENERGY_WH} (\`invalidEnergy\`)`,
            codes: ['invalidReadyBy'], message: 'readyBy must be in the future',
          },
          404: unknownSession,
          409: {
            description: 'The session is no longer waiting or charging (`sessionNotPlannable`), or its site leaves it less than 6 A (`planNotPossible`)',
            codes: ['sessionNotPlannable'], message: 'Session 42 is Completed',
          },
        },
      }, {
        params: TransactionId,
        body: Type.Object({
          readyBy: Type.Union([
            Type.String({ format: 'date-time', description: 'ISO 8601' }),
            Type.Integer({ minimum: 0, maximum: 4_102_444_800, description: 'Epoch seconds' }),
          ], { 'x-error-code': 'invalidReadyBy', description: 'When the energy should be charged: an ISO 8601 date-time or epoch seconds' }),
          energyWh: Type.Integer({ minimum: 1, maximum: MAX_PLAN_ENERGY_WH, 'x-error-code': 'invalidEnergy', description: 'The energy to charge from now on' }),
        }, { examples: [{ readyBy: CHARGING_PLAN_EXAMPLE.readyBy, energyWh: CHARGING_PLAN_EXAMPLE.energyWh }] }),
        response: { 200: json('The plan', ChargingPlanJson, CHARGING_PLAN_EXAMPLE) },
      }),
    }, async (request) => {
      const { readyBy, energyWh } = request.body;
      const when = typeof readyBy === 'number' ? new Date(readyBy * 1000) : new Date(readyBy);
      return chargingPlanJson(await chargingPlans.set(request.params.id, request.auth!, { readyBy: when, energyWh }));
    });

    app.delete('/transaction/:id/plan', {
      onRequest: guards.user,
      schema: operation({
        id: 'clearChargingPlan', tag, access: 'user', who: own, summary: 'Remove a session\'s charging plan',
        description: 'The session charges as its site allows, at once. Answers 204 whether or not it had a plan.',
        errors: { 400: badId, 404: unknownSession },
      }, {
        params: TransactionId,
        response: { 204: noContent('Removed') },
      }),
    }, async (request, reply) => {
      await chargingPlans.clear(request.params.id, request.auth!);
      return reply.status(204).send(null);
    });
  };
}
