import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.ts';
import { SETTLED_PAYMENT_STATUSES } from '../../domain/paymentStatus.ts';
import { correctMeter } from '../../domain/sessions/meterCorrection.ts';
import type { SessionView } from '../../domain/sessions/views.ts';
import type { AccessClaims } from '../../domain/tokens.ts';
import type { App, HttpContext } from '../context.ts';
import { DEMO_CHARGER_ID } from '../examples.ts';
import { json, operation, TAG, type OperationDoc } from '../openapi.ts';
import { ChargerIdField, IdParam, OcppConnectorField } from '../schemas.ts';

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
    paymentConfirmed: session.paymentStatus !== null && SETTLED_PAYMENT_STATUSES.includes(session.paymentStatus),
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
  { $id: 'LegacyTransaction', description: 'A charging session in the 2022 row shape' },
);

const Id = IdParam('invalidTransactionID', 'transactionID', 42);
const UserField = Type.Union([Type.String({ maxLength: 40 }), Type.Integer()], { 'x-error-code': 'invalidUserID' });
const tag = TAG.legacyTransactions;
const example = {
  transactionID: 42, isKlarnaPayment: false, kwhTransfered: 12.5, currentChargePercentage: 64, pricePerKwh: '4.61', timestamp: 1748852100000,
  paymentID: null, userID: '2', session_id: null, klarna_consumer_token: null, paymentConfirmed: false, meterStart: 0,
  connectorID: DEMO_CHARGER_ID, status: 'Charging', price: 5763,
};
const created = { ...example, kwhTransfered: 0, currentChargePercentage: 0, meterStart: null, status: 'Created', price: 0 };
const completed = { ...example, kwhTransfered: 20.1, currentChargePercentage: 92, status: 'Completed', price: 9266 };
const own = 'Signed-in users for their own sessions; admins for any (someone else\'s session is answered 404).';
const badId = '`id` is not a transactionID (an integer)';
const unknownSession = 'No such session, or not the caller\'s';
const chargerUnreachable = { 502: 'The charger answered the command with an error, or the payment provider failed', 504: 'The charger did not answer in time' };
const createErrors: OperationDoc['errors'] = {
  400: 'No connectorID (or chargerID), or an invalid field; or the payment provider refused',
  403: '`userID` is not the caller\'s own',
  404: 'No charger has this connectorID, or it has no such connector (`connectorNotFound`)',
  409: 'The charger is offline (`chargerOffline`), reserved by someone else (`chargerReserved`), not Available (`chargerNotAvailable`) '
    + 'or refused the reservation (`couldNotReserveCharger`)',
  ...chargerUnreachable,
};

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
export function legacyTransactionRoutes({ db, guards, sessions, sessionViews, settlement }: HttpContext) {
  return async (app: App) => {
    app.addSchema(LegacyTransaction);
    const Ref = Type.Ref(LegacyTransaction);
    const CreateBody = Type.Object({
      connectorID: Type.Optional(ChargerIdField),
      chargerID: Type.Optional({ ...ChargerIdField, description: 'The charger, as the iOS code spells it' }),
      ocppConnectorId: Type.Optional(OcppConnectorField),
      userID: Type.Optional({ ...UserField, description: 'Your own user id, if sent' }),
      isKlarnaPayment: Type.Optional(Type.Boolean({ description: 'false: payable by invoice' })),
      pricePerKwh: Type.Optional(Type.Unknown({ description: 'Ignored: the price comes from the charge point and the tariff' })),
    }, { examples: [{ connectorID: DEMO_CHARGER_ID, isKlarnaPayment: false }] });

    app.post('/transactions', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyCreateTransaction', tag, access: 'user', summary: 'Create a session (2022 shape)',
        description: 'As `POST /transaction`: checks the charger, reserves it and opens the payment; answers the session in the 2022 shape.',
        errors: createErrors,
      }, {
        body: CreateBody,
        response: { 201: json('The session, created', Ref, created) },
      }),
    }, async (request, reply) => {
      checkUser(request.auth!, request.body.userID);
      const session = await sessions.create(chargerOf(request.body), request.auth!.userId, request.body.isKlarnaPayment === false ? 'invoice' : 'klarna', request.body.ocppConnectorId);
      return reply.status(201).send(legacyTransactionJson(session));
    });

    app.post('/transactions/session', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyCreateTransactionSession', tag, access: 'user', summary: 'Create a session and its payment session',
        description: 'As `POST /transactions`, paid through the payment provider; answers the payment `client_token` too '
          + '(the native iOS Klarna code of the app uses it).',
        errors: createErrors,
      }, {
        body: CreateBody,
        response: {
          201: json('The session, created, with the payment client_token', Type.Intersect([Ref, Type.Object({ client_token: Type.String() })]), {
            ...created, isKlarnaPayment: true, session_id: 'b6f1e2a0-5c1d-4b7e-9d1a-2f3e4a5b6c7d', klarna_consumer_token: 'eyJhbGciOiJub25lIn0.a2xhcm5h', client_token: 'eyJhbGciOiJub25lIn0.a2xhcm5h',
          }),
        },
      }),
    }, async (request, reply) => {
      checkUser(request.auth!, request.body.userID);
      const session = await sessions.create(chargerOf(request.body), request.auth!.userId, 'klarna', request.body.ocppConnectorId);
      return reply.status(201).send({ ...legacyTransactionJson(session), client_token: session.klarnaClientToken });
    });

    app.put('/transactions/start/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyStartTransaction', tag, access: 'user', who: own, summary: 'Start charging; answers 201 once the charger has started',
        description: 'As `PUT /transaction/start/{id}` (RemoteStartTransaction, then waits for the charger\'s StartTransaction), '
          + 'answering 201 with the 2022 shape.',
        errors: {
          400: `${badId}, or the payment is not authorized (\`klarnaNotAuthorized\`)`, 404: unknownSession,
          409: 'The session cannot start (`sessionNotStartable`) or the charger refused (`couldNotStartTransaction`)', ...chargerUnreachable,
        },
      }, {
        params: Id,
        body: Type.Object(
          { authorization_token: Type.Optional(Type.String({ maxLength: 4096, description: 'From the Klarna widget' })), transactionID: Type.Optional(Type.Unknown({ description: 'Ignored; the path names the session' })) },
          { examples: [{}] },
        ),
        response: { 201: json('Charging', Ref, example) },
      }),
    }, async (request, reply) => {
      const session = await sessions.start(request.params.id, request.auth!, request.body.authorization_token);
      return reply.status(201).send(legacyTransactionJson(session));
    });

    app.put('/transactions/stop/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyStopTransaction', tag, access: 'user', who: own, summary: 'Stop charging, price and settle',
        description: 'As `PUT /transaction/stop/{id}`: RemoteStopTransaction, waits for the charger\'s StopTransaction, prices and settles.',
        errors: {
          400: badId, 404: unknownSession,
          409: 'The session is not charging (`sessionNotStoppable`) or the charger refused (`couldNotStopTransaction`)', ...chargerUnreachable,
        },
      }, {
        params: Id,
        response: { 200: json('Stopped and priced', Ref, completed) },
      }),
    }, async (request) => legacyTransactionJson(await sessions.stop(request.params.id, request.auth!)));

    app.get('/transactions/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyGetTransaction', tag, access: 'user', who: own, summary: 'A session',
        description: 'The session in the 2022 shape, live while it charges.',
        errors: { 400: badId, 404: unknownSession },
      }, {
        params: Id,
        response: { 200: json('The session', Ref, example) },
      }),
    }, async (request) => legacyTransactionJson(await sessionViews.get(request.params.id, request.auth!)));

    app.get('/transactions/userTransactions/:userID', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyListUserTransactions', tag, access: 'user', summary: "A user's sessions",
        description: 'The user\'s sessions in the 2022 shape, newest first.',
        who: 'Signed-in users for their own id; admins for anyone\'s.',
        errors: { 400: '`userID` is not an integer (`invalidUserID`)', 403: 'Not the caller\'s own user id' },
      }, {
        params: Type.Object({ userID: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidUserID', examples: [2] }) }),
        response: { 200: json('The sessions; `[]` when there are none', Type.Array(Ref), [example]) },
      }),
    }, async (request) => (await sessionViews.listForUser(request.params.userID, request.auth!)).map(legacyTransactionJson));

    app.get('/transactions/chargerTransactions/:connectorID', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacyListChargerTransactions', tag, access: 'user', summary: "A charger's sessions",
        description: 'The charger\'s sessions in the 2022 shape, newest first.',
        who: 'Signed-in users (their own sessions at the charger) and admins (all of them).',
        errors: { 400: '`connectorID` is not an integer (`invalidconnectorID`)' },
      }, {
        params: Type.Object({ connectorID: { ...ChargerIdField, examples: [DEMO_CHARGER_ID] } }),
        response: { 200: json('The sessions; `[]` when there are none', Type.Array(Ref), [example]) },
      }),
    }, async (request) => (await sessionViews.listForCharger(request.params.connectorID, request.auth!)).map(legacyTransactionJson));

    app.put('/transactions/payment/:id', {
      onRequest: guards.user,
      schema: operation({
        id: 'legacySetTransactionPayment', tag, access: 'user', who: own, summary: "Record the payment provider's order id for a session",
        description: 'Stores the order id the 2022 apps got from the payment provider as the session\'s payment reference (`paymentID`).',
        errors: { 400: `${badId}, or no \`paymentID\` (\`invalidPaymentID\`)`, 404: unknownSession },
      }, {
        params: Id,
        body: Type.Object(
          { paymentID: Type.String({ minLength: 1, maxLength: 255, 'x-error-code': 'invalidPaymentID' }) },
          { 'x-error-code': 'invalidPaymentID', examples: [{ paymentID: 'f3b2c1d0-1a2b-4c3d-8e9f-0a1b2c3d4e5f' }] },
        ),
        response: { 200: json('The session with its paymentID', Ref, { ...example, paymentID: 'f3b2c1d0-1a2b-4c3d-8e9f-0a1b2c3d4e5f' }) },
      }),
    }, async (request) => legacyTransactionJson(await settlement.setPaymentReference(request.params.id, request.auth!, request.body.paymentID)));

    app.put('/transactions/meter/:id', {
      onRequest: guards.admin,
      schema: operation({
        id: 'legacyCorrectTransactionMeter', tag, access: 'admin', summary: "Correct a session's energy or charge level",
        description: 'Overrides the session\'s energy (kWh) and/or charge level (%); the charger\'s own readings stay, and the session '
          + 'is flagged `manualMeterCorrection`.',
        errors: { 400: `${badId}, or a value out of range (\`invalidkWhTransferredValue\`, \`invalidChargePercentage\`) or none (\`invalidMeterValue\`)`, 404: 'No session has this transactionID' },
      }, {
        params: Id,
        body: Type.Object({
          kwhTransfered: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, 'x-error-code': 'invalidkWhTransferredValue', description: 'kWh (the original spelling)' })),
          currentChargePercentage: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, 'x-error-code': 'invalidChargePercentage' })),
        }, { minProperties: 1, 'x-error-code': 'invalidMeterValue', examples: [{ kwhTransfered: 12.5 }] }),
        response: { 200: json('The session, corrected', Ref, example) },
      }),
    }, async (request) => {
      await correctMeter(db, request.params.id, {
        energyWh: request.body.kwhTransfered === undefined ? undefined : Math.round(request.body.kwhTransfered * 1000),
        socPercent: request.body.currentChargePercentage,
      });
      return legacyTransactionJson(await sessionViews.view(request.params.id));
    });
  };
}
