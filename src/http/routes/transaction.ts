import { Type } from '@sinclair/typebox';
import type { SessionView } from '../../domain/sessions.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, ChargerIdField, errorResponses, IdParam } from '../schemas.ts';

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
  },
  { $id: 'Transaction' },
);

const TransactionId = IdParam('invalidTransactionID', 'transactionID');
const tags = ['transaction'];

/** The charging flow of the current apps: create → start → poll → stop. */
export function transactionRoutes({ guards, sessions }: HttpContext) {
  return async (app: App) => {
    app.addSchema(TransactionJson);
    const TransactionRef = Type.Ref(TransactionJson);

    app.post('/transaction', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Create a charging session: checks and reserves the charger and opens the payment', security: bearer,
        body: Type.Object({
          connectorID: ChargerIdField,
          paymentType: Type.Optional(Type.String({ maxLength: 40, 'x-error-code': 'invalidPaymentMethod' })),
        }, { 'x-error-code': 'invalidconnectorID' }),
        response: {
          201: Type.Object({ klarnaClientToken: Type.String(), klarnaSessionID: Type.String(), transactionID: Type.Integer() }),
          ...errorResponses(400, 401, 404, 409, 502, 504),
        },
      },
    }, async (request, reply) => {
      const session = await sessions.create(request.body.connectorID, request.auth!.userId, request.body.paymentType ?? 'klarna');
      return reply.status(201).send({ klarnaClientToken: session.klarnaClientToken, klarnaSessionID: session.klarnaSessionId, transactionID: session.id });
    });

    app.put('/transaction/start/:id', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Start charging: RemoteStartTransaction, then waits for the charger to begin', security: bearer,
        params: TransactionId,
        body: Type.Object({
          authorization_token: Type.Optional(Type.String({ maxLength: 4096, description: 'From the Klarna widget' })),
          transactionID: Type.Optional(Type.Unknown({ description: 'Ignored; the path names the session' })),
        }),
        response: { 200: TransactionRef, ...errorResponses(400, 401, 404, 409, 502, 504) },
      },
    }, async (request) => transactionJson(await sessions.start(request.params.id, request.auth!, request.body.authorization_token)));

    app.get('/transaction/:id', {
      onRequest: guards.user,
      schema: { tags, summary: 'A session, live while it charges', security: bearer, params: TransactionId, response: { 200: TransactionRef, ...errorResponses(400, 401, 404) } },
    }, async (request) => transactionJson(await sessions.get(request.params.id, request.auth!)));

    app.put('/transaction/stop/:id', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Stop charging: RemoteStopTransaction, waits for the charger, prices and settles', security: bearer,
        params: TransactionId, response: { 200: TransactionRef, ...errorResponses(400, 401, 404, 409, 502, 504) },
      },
    }, async (request) => transactionJson(await sessions.stop(request.params.id, request.auth!)));

    app.post('/transaction/:id/refund', {
      onRequest: guards.admin,
      schema: {
        tags, summary: "Refund part or all of a session's captured payment (admin)", security: bearer, params: TransactionId,
        body: Type.Object({ amount: Type.Integer({ minimum: 1, maximum: 100_000_000, 'x-error-code': 'invalidRefund', description: 'öre' }) }, { 'x-error-code': 'invalidRefund' }),
        response: { 200: TransactionRef, ...errorResponses(400, 401, 403, 404, 409, 502) },
      },
    }, async (request) => transactionJson(await sessions.refund(request.params.id, request.body.amount)));

    app.get('/transaction/userTransactions/:userID', {
      onRequest: guards.user,
      schema: {
        tags, summary: "A user's sessions (own, or any for admins)", security: bearer,
        params: Type.Object({ userID: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidUserID' }) }),
        response: { 200: Type.Array(TransactionRef), ...errorResponses(400, 401, 403) },
      },
    }, async (request) => (await sessions.listForUser(request.params.userID, request.auth!)).map(transactionJson));

    app.get('/transaction/chargerTransactions/:connectorID', {
      onRequest: guards.user,
      schema: {
        tags, summary: "A charger's sessions (all for admins, own for users)", security: bearer,
        params: Type.Object({ connectorID: ChargerIdField }),
        response: { 200: Type.Array(TransactionRef), ...errorResponses(400, 401) },
      },
    }, async (request) => (await sessions.listForCharger(request.params.connectorID, request.auth!)).map(transactionJson));
  };
}
