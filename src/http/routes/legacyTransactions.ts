import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.ts';
import type { SessionView } from '../../domain/sessions.ts';
import type { AccessClaims } from '../../domain/tokens.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, ChargerIdField, errorResponses, IdParam } from '../schemas.ts';

const SETTLED = new Set(['Captured', 'Invoiced', 'NothingOwed']);

/** A session in the 2022 `/transactions` row shape that the older apps read. */
export function legacyTransactionJson(session: SessionView) {
  return {
    transactionID: session.id,
    isKlarnaPayment: session.paymentMethod === 'klarna',
    kwhTransfered: session.energyWh / 1000,
    currentChargePercentage: session.socPercent ?? 0,
    pricePerKwh: (session.pricePerKwhOre / 100).toFixed(2),
    timestamp: (session.startedAt ?? session.createdAt).getTime(),
    paymentID: session.paymentReference,
    userID: session.userId === null ? null : String(session.userId),
    session_id: session.klarnaSessionId || null,
    klarna_consumer_token: session.klarnaClientToken || null,
    paymentConfirmed: session.paymentStatus !== null && SETTLED.has(session.paymentStatus),
    meterStart: session.meterStartWh,
    connectorID: session.chargerId,
    status: session.status,
    price: session.priceOre,
  };
}

const LegacyTransaction = Type.Object(
  {
    transactionID: Type.Integer(),
    isKlarnaPayment: Type.Boolean(),
    kwhTransfered: Type.Number(),
    currentChargePercentage: Type.Integer(),
    pricePerKwh: Type.String({ description: 'SEK per kWh, two decimals' }),
    timestamp: Type.Integer({ description: 'Start (or creation) in epoch milliseconds' }),
    paymentID: Type.Union([Type.String(), Type.Null()]),
    userID: Type.Union([Type.String(), Type.Null()]),
    session_id: Type.Union([Type.String(), Type.Null()]),
    klarna_consumer_token: Type.Union([Type.String(), Type.Null()]),
    paymentConfirmed: Type.Boolean(),
    meterStart: Type.Union([Type.Integer(), Type.Null()]),
    connectorID: Type.Union([Type.Integer(), Type.Null()]),
    status: Type.String(),
    price: Type.Integer({ description: 'öre' }),
  },
  { $id: 'LegacyTransaction' },
);

const Id = IdParam('invalidTransactionID', 'transactionID');
const UserField = Type.Union([Type.String({ maxLength: 40 }), Type.Integer()], { 'x-error-code': 'invalidUserID' });
const tags = ['transactions (2022 API)'];

/** The body's userID, when given, must be the caller (admins may act for anyone). */
function checkUser(caller: AccessClaims, userID: string | number | undefined): void {
  if (userID === undefined || caller.role === 'admin' || String(userID) === String(caller.userId)) return;
  throw new DomainError('forbidden', ['forbiddenError'], 'userID must be your own');
}

function chargerOf(body: { connectorID?: number; chargerID?: number }): number {
  const chargerId = body.connectorID ?? body.chargerID;
  if (chargerId === undefined) throw new DomainError('invalid', ['invalidconnectorID'], 'connectorID (or chargerID) is required');
  return chargerId;
}

/**
 * The 2022 `/transactions` API of the older apps, on the same sessions as `/transaction`:
 * create (plain or with a payment session), start, stop, read, list, record the payment
 * reference, and an admin's meter correction.
 */
export function legacyTransactionRoutes({ guards, sessions }: HttpContext) {
  return async (app: App) => {
    app.addSchema(LegacyTransaction);
    const Ref = Type.Ref(LegacyTransaction);
    const CreateBody = Type.Object({
      connectorID: Type.Optional(ChargerIdField),
      chargerID: Type.Optional(ChargerIdField),
      userID: Type.Optional(UserField),
      isKlarnaPayment: Type.Optional(Type.Boolean()),
      pricePerKwh: Type.Optional(Type.Unknown({ description: 'Ignored: the price comes from the charge point and the tariff' })),
    });

    app.post('/transactions', {
      onRequest: guards.user,
      schema: { tags, summary: 'Create a session (2022 shape)', security: bearer, body: CreateBody, response: { 201: Ref, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request, reply) => {
      checkUser(request.auth!, request.body.userID);
      const session = await sessions.create(chargerOf(request.body), request.auth!.userId, request.body.isKlarnaPayment === false ? 'invoice' : 'klarna');
      return reply.status(201).send(legacyTransactionJson(session));
    });

    app.post('/transactions/session', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Create a session and its payment session; answers the payment client_token', security: bearer, body: CreateBody,
        response: { 201: Type.Intersect([Ref, Type.Object({ client_token: Type.String() })]), ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      checkUser(request.auth!, request.body.userID);
      const session = await sessions.create(chargerOf(request.body), request.auth!.userId, 'klarna');
      return reply.status(201).send({ ...legacyTransactionJson(session), client_token: session.klarnaClientToken });
    });

    app.put('/transactions/start/:id', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Start charging (RemoteStartTransaction); answers 201 once the charger has started', security: bearer, params: Id,
        body: Type.Object({ authorization_token: Type.Optional(Type.String({ maxLength: 4096 })), transactionID: Type.Optional(Type.Unknown()) }),
        response: { 201: Ref, ...errorResponses(400, 401, 404, 409, 502, 504) },
      },
    }, async (request, reply) => {
      const session = await sessions.start(request.params.id, request.auth!, request.body.authorization_token);
      return reply.status(201).send(legacyTransactionJson(session));
    });

    app.put('/transactions/stop/:id', {
      onRequest: guards.user,
      schema: { tags, summary: 'Stop charging (RemoteStopTransaction), price and settle', security: bearer, params: Id, response: { 200: Ref, ...errorResponses(400, 401, 404, 409, 502, 504) } },
    }, async (request) => legacyTransactionJson(await sessions.stop(request.params.id, request.auth!)));

    app.get('/transactions/:id', {
      onRequest: guards.user,
      schema: { tags, summary: 'A session', security: bearer, params: Id, response: { 200: Ref, ...errorResponses(400, 401, 404) } },
    }, async (request) => legacyTransactionJson(await sessions.get(request.params.id, request.auth!)));

    app.get('/transactions/userTransactions/:userID', {
      onRequest: guards.user,
      schema: {
        tags, summary: "A user's sessions", security: bearer,
        params: Type.Object({ userID: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidUserID' }) }),
        response: { 200: Type.Array(Ref), ...errorResponses(400, 401, 403) },
      },
    }, async (request) => (await sessions.listForUser(request.params.userID, request.auth!)).map(legacyTransactionJson));

    app.get('/transactions/chargerTransactions/:connectorID', {
      onRequest: guards.user,
      schema: {
        tags, summary: "A charger's sessions (all for admins, own for users)", security: bearer,
        params: Type.Object({ connectorID: ChargerIdField }), response: { 200: Type.Array(Ref), ...errorResponses(400, 401) },
      },
    }, async (request) => (await sessions.listForCharger(request.params.connectorID, request.auth!)).map(legacyTransactionJson));

    app.put('/transactions/payment/:id', {
      onRequest: guards.user,
      schema: {
        tags, summary: "Record the payment provider's order id for a session", security: bearer, params: Id,
        body: Type.Object({ paymentID: Type.String({ minLength: 1, maxLength: 255, 'x-error-code': 'invalidPaymentID' }) }, { 'x-error-code': 'invalidPaymentID' }),
        response: { 200: Ref, ...errorResponses(400, 401, 404) },
      },
    }, async (request) => legacyTransactionJson(await sessions.setPaymentReference(request.params.id, request.auth!, request.body.paymentID)));

    app.put('/transactions/meter/:id', {
      onRequest: guards.admin,
      schema: {
        tags, summary: "Correct a session's energy or charge level (admin; flagged as a manual correction)", security: bearer, params: Id,
        body: Type.Object({
          kwhTransfered: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, 'x-error-code': 'invalidkWhTransferredValue' })),
          currentChargePercentage: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, 'x-error-code': 'invalidChargePercentage' })),
        }, { minProperties: 1, 'x-error-code': 'invalidMeterValue' }),
        response: { 200: Ref, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request) => legacyTransactionJson(await sessions.correctMeter(request.params.id, {
      energyWh: request.body.kwhTransfered === undefined ? undefined : Math.round(request.body.kwhTransfered * 1000),
      socPercent: request.body.currentChargePercentage,
    })));
  };
}
