import { Type } from '@sinclair/typebox';
import { parseTariffCsv } from '../../domain/tariffCsv.ts';
import { deleteTariffs, listTariffs, tariffRange, upsertTariffs, type Tariff } from '../../domain/tariffs.ts';
import type { App, HttpContext } from '../context.ts';
import { bearer, errorResponses } from '../schemas.ts';

const tariffJson = (tariff: Tariff) => ({ startsAt: tariff.startsAt.toISOString(), pricePerKwhOre: tariff.pricePerKwhOre, currency: tariff.currency });

const TariffJson = Type.Object({
  startsAt: Type.String({ format: 'date-time', description: 'Start of the hour (UTC)' }),
  pricePerKwhOre: Type.Integer({ description: 'Electricity (spot) price in öre per kWh for that hour' }),
  currency: Type.String(),
});
const Range = Type.Object({
  from: Type.String({ format: 'date-time', 'x-error-code': 'invalidDateFormat' }),
  to: Type.String({ format: 'date-time', 'x-error-code': 'invalidDateFormat' }),
}, { 'x-error-code': 'invalidDateFormat' });
const Count = Type.Object({ count: Type.Integer() });
const tags = ['tariffs'];
const HOUR_MS = 3_600_000;
const MAX_LIST_HOURS = 24 * 92;

/** Hourly electricity prices, added to each charge point's own price per kWh. */
export function tariffRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    // A CSV import arrives as text; keep it as a string for the route to parse.
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_request, body, done) => done(null, body));

    app.get('/tariffs', {
      schema: {
        tags, summary: 'Hourly electricity prices in [from, to) (default: today and tomorrow, at most 92 days)',
        querystring: Type.Partial(Range), response: { 200: Type.Array(TariffJson), ...errorResponses(400) },
      },
    }, async (request) => {
      const today = new Date(Math.floor(Date.now() / (24 * HOUR_MS)) * 24 * HOUR_MS);
      const from = request.query.from ? new Date(request.query.from) : today;
      const to = request.query.to ? new Date(request.query.to) : new Date(today.getTime() + 48 * HOUR_MS);
      const end = new Date(Math.min(to.getTime(), from.getTime() + MAX_LIST_HOURS * HOUR_MS));
      return (await listTariffs(db, from, end)).map(tariffJson);
    });

    app.put('/tariffs', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Set one price for every hour of [from, to), or individual hours (admin)', security: bearer,
        body: Type.Union([
          Type.Object({ from: Range.properties.from, to: Range.properties.to, pricePerKwhOre: Type.Integer({ minimum: 0, maximum: 1_000_000, 'x-error-code': 'invalidPrice' }), currency: Type.Optional(Type.String({ maxLength: 3 })) }),
          Type.Object({ tariffs: Type.Array(Type.Object({ startsAt: Type.String({ format: 'date-time' }), pricePerKwhOre: Type.Integer({ minimum: 0, maximum: 1_000_000 }) }), { maxItems: 20_000 }) }),
        ], { 'x-error-code': 'invalidInput' }),
        response: { 200: Count, ...errorResponses(400, 401, 403) },
      },
    }, async (request) => {
      const body = request.body;
      const tariffs = 'tariffs' in body
        ? body.tariffs.map((t) => ({ startsAt: new Date(t.startsAt), pricePerKwhOre: t.pricePerKwhOre, currency: 'SEK' }))
        : tariffRange(new Date(body.from), new Date(body.to), body.pricePerKwhOre, body.currency ?? 'SEK');
      return { count: await upsertTariffs(db, tariffs) };
    });

    app.post('/tariffs/import', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Import a CSV ("start,price_sek_per_kwh" or "start,price_ore", one hour per line; content type text/csv) (admin)', security: bearer,
        consumes: ['text/csv'],
        body: Type.String({ minLength: 1, 'x-error-code': 'invalidCsv' }),
        response: { 200: Count, ...errorResponses(400, 401, 403, 415) },
      },
    }, async (request) => ({ count: await upsertTariffs(db, parseTariffCsv(request.body)) }));

    app.delete('/tariffs', {
      onRequest: guards.admin,
      schema: { tags, summary: 'Remove the prices of [from, to) (admin)', security: bearer, querystring: Range, response: { 200: Count, ...errorResponses(400, 401, 403) } },
    }, async (request) => ({ count: await deleteTariffs(db, new Date(request.query.from), new Date(request.query.to)) }));
  };
}
