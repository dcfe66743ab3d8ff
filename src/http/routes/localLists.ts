import { Type } from '@sinclair/typebox';
import { fullList } from '../../domain/localLists.ts';
import type { ChargerListView } from '../../domain/localListSync.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const IdTagInfo = Type.Object({
  status: Type.Union(['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'].map((status) => Type.Literal(status))),
  expiryDate: Type.Optional(Type.String({ format: 'date-time' })),
  parentIdTag: Type.Optional(Type.String()),
});

const LocalList = Type.Object({
  version: Type.Integer({ description: 'The list\'s version; it grows with every change to a card' }),
  entries: Type.Array(Type.Object({ idTag: Type.String(), idTagInfo: IdTagInfo }), { description: 'Every card, with what an Authorize of it answers' }),
}, { description: 'The local authorization list every OCPP 1.6 charger is sent' });

const ChargerList = Type.Object({
  chargerId: Type.Integer({ description: 'The charger (connectorID)' }),
  state: Type.Union(['inSync', 'pending', 'failed', 'unsupported'].map((state) => Type.Literal(state)), {
    description: '`inSync`: holds the current version; `pending`: behind it, or not asked yet; `failed`: the last attempt failed '
      + '(retried at its next boot or on `sync`); `unsupported`: the charger keeps no local list',
  }),
  chargerVersion: Type.Union([Type.Integer(), Type.Null()], { description: 'The version the charger last confirmed; null when unknown' }),
  expectedVersion: Type.Integer({ description: 'The version it should hold' }),
  maxEntries: Type.Union([Type.Integer(), Type.Null()], { description: 'The most entries it takes (its SendLocalListMaxLength / LocalAuthListMaxLength); null when it did not say' }),
  lastUpdateType: Type.Union([Type.Literal('Full'), Type.Literal('Differential'), Type.Null()]),
  lastResult: Type.Union([Type.String(), Type.Null()], { description: 'The charger\'s last answer (Accepted, Failed, NotSupported, …) or the error' }),
  lastAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
}, { description: 'A charger\'s local authorization list' });

const exampleState = {
  chargerId: 100001, state: 'inSync', chargerVersion: 7, expectedVersion: 7, maxEntries: 500,
  lastUpdateType: 'Differential', lastResult: 'Accepted', lastAttemptAt: '2026-11-30T06:00:00.000Z',
} as const;

const viewJson = (view: ChargerListView) => ({ ...view, lastAttemptAt: view.lastAttemptAt?.toISOString() ?? null });

/** The local authorization list and each charger's copy of it (admin). */
export function localListRoutes({ db, guards, localLists }: HttpContext) {
  return async (app: App) => {
    const Params = IdParam('invalidconnectorID', 'connectorID of the charger', 100000);

    app.get('/local-list', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getLocalList', tag: TAG.idTags, access: 'admin', summary: 'The local authorization list',
        description: 'The list every OCPP 1.6 charger is sent (SendLocalList): every RFID card with what an Authorize of it answers now, '
          + 'and the list\'s version. A card is valid at every charge point, so all chargers hold the same list.',
      }, {
        response: {
          200: json('The list', LocalList, { version: 7, entries: [{ idTag: '04A2B3C4D5', idTagInfo: { status: 'Blocked', expiryDate: '2026-12-31T23:00:00.000Z' } }] }),
        },
      }),
    }, async () => {
      const list = await fullList(db);
      return { version: list.version, entries: list.entries.map((entry) => ({ idTag: entry.idTag, idTagInfo: entry.idTagInfo! })) };
    });

    app.get('/chargers/:id/local-list', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getChargerLocalList', tag: TAG.chargers, access: 'admin', summary: 'A charger\'s local authorization list',
        description: 'The version of the local authorization list the charger holds, the version it should hold, and how the last '
          + 'SendLocalList or GetLocalListVersion went.',
        errors: { 404: 'No charger has this connectorID' },
      }, {
        params: Params,
        response: { 200: json('Its list', ChargerList, exampleState) },
      }),
    }, async (request) => viewJson(await localLists.view(request.params.id)));

    app.post('/chargers/:id/local-list/sync', {
      onRequest: guards.admin,
      schema: operation({
        id: 'syncChargerLocalList', tag: TAG.chargers, access: 'admin', summary: 'Send a charger the whole local authorization list',
        description: 'Sends the charger a Full SendLocalList now, also when it was marked failed or unsupported, and answers with '
          + 'its state afterwards (the charger\'s answer in `lastResult`).',
        errors: {
          404: 'No charger has this connectorID',
          409: {
            description: 'The charger is not connected, or is a FlexiCharge charger (which keeps no list)',
            codes: ['chargerOffline', 'localListUnsupported'], message: 'Charger 100001 is not connected',
          },
        },
      }, {
        params: Params,
        response: { 200: json('Its list after the attempt', ChargerList, { ...exampleState, lastUpdateType: 'Full' }) },
      }),
    }, async (request) => viewJson(await localLists.sendFull(request.params.id)));
  };
}
