import { Type } from '@sinclair/typebox';
import { parseTariffCsv } from '../../domain/tariffCsv.ts';
import { deleteTariffs, listTariffs, tariffRange, upsertTariffs, type Tariff } from '../../domain/tariffs.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';

const tariffJson = (tariff: Tariff) => ({ startsAt: tariff.startsAt.toISOString(), pricePerKwhOre: tariff.pricePerKwhOre, currency: tariff.currency });

const TariffJson = Type.Object({
  startsAt: Type.String({ format: 'date-time', description: 'Start of the hour (UTC)' }),
  pricePerKwhOre: Type.Integer({ description: 'Electricity (spot) price in öre per kWh for that hour' }),
  currency: Type.String(),
}, { description: 'The electricity price of one hour' });
const Range = Type.Object({
  from: Type.String({ format: 'date-time', 'x-error-code': 'invalidDateFormat' }),
  to: Type.String({ format: 'date-time', 'x-error-code': 'invalidDateFormat' }),
}, { 'x-error-code': 'invalidDateFormat' });
const Count = Type.Object({ count: Type.Integer() });
const tag = TAG.tariffs;
const exampleHours = [
  { startsAt: '2025-06-02T06:00:00.000Z', pricePerKwhOre: 124, currency: 'SEK' },
  { startsAt: '2025-06-02T07:00:00.000Z', pricePerKwhOre: 142, currency: 'SEK' },
];
const badRange = '`from` or `to` not a date-time (`invalidDateFormat`)';
const HOUR_MS = 3_600_000;
const MAX_LIST_HOURS = 24 * 92;

/** Hourly electricity prices, added to each charge point's own price per kWh. */
export function tariffRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    // A CSV import arrives as text; keep it as a string for the route to parse.
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_request, body, done) => done(null, body));

    app.get('/tariffs', {
      schema: operation({
        id: 'listTariffs', tag, access: 'public', summary: 'Hourly electricity prices',
        description: 'The hourly prices in [`from`, `to`): by default today and tomorrow (UTC), at most 92 days. The price of a kWh '
          + 'is the hour\'s tariff plus the charge point\'s `price`.',
        errors: { 400: badRange },
      }, {
        querystring: Type.Partial(Range),
        response: { 200: json('The hours, in order; `[]` when none is known', Type.Array(TariffJson), exampleHours) },
      }),
    }, async (request) => {
      const today = new Date(Math.floor(Date.now() / (24 * HOUR_MS)) * 24 * HOUR_MS);
      const from = request.query.from ? new Date(request.query.from) : today;
      const to = request.query.to ? new Date(request.query.to) : new Date(today.getTime() + 48 * HOUR_MS);
      const end = new Date(Math.min(to.getTime(), from.getTime() + MAX_LIST_HOURS * HOUR_MS));
      return (await listTariffs(db, from, end)).map(tariffJson);
    });

    app.put('/tariffs', {
      onRequest: guards.admin,
      schema: operation({
        id: 'setTariffs', tag, access: 'admin', summary: 'Set hourly electricity prices',
        description: 'Sets one price for every hour of [`from`, `to`) (at most two years), or the prices of individual hours '
          + '(`tariffs`); hours priced before are overwritten.',
        errors: { 400: `${badRange}, a price that is not a whole non-negative number of öre (\`invalidPrice\`), a time that is not the start of an hour (\`invalidTimestamp\`) or a range over two years (\`invalidRange\`)` },
      }, {
        body: Type.Union([
          Type.Object({ from: Range.properties.from, to: Range.properties.to, pricePerKwhOre: Type.Integer({ minimum: 0, maximum: 1_000_000, 'x-error-code': 'invalidPrice' }), currency: Type.Optional(Type.String({ maxLength: 3 })) }),
          Type.Object({ tariffs: Type.Array(Type.Object({ startsAt: Type.String({ format: 'date-time' }), pricePerKwhOre: Type.Integer({ minimum: 0, maximum: 1_000_000 }) }), { maxItems: 20_000 }) }),
        ], {
          'x-error-code': 'invalidInput',
          'x-examples': {
            range: { summary: 'One price for a range of hours', value: { from: '2025-06-02T00:00:00.000Z', to: '2025-06-03T00:00:00.000Z', pricePerKwhOre: 95 } },
            hours: { summary: 'Individual hours', value: { tariffs: exampleHours.map(({ startsAt, pricePerKwhOre }) => ({ startsAt, pricePerKwhOre })) } },
          },
        }),
        response: { 200: json('The number of hours set', Count, { count: 24 }) },
      }),
    }, async (request) => {
      const body = request.body;
      const tariffs = 'tariffs' in body
        ? body.tariffs.map((t) => ({ startsAt: new Date(t.startsAt), pricePerKwhOre: t.pricePerKwhOre, currency: 'SEK' }))
        : tariffRange(new Date(body.from), new Date(body.to), body.pricePerKwhOre, body.currency ?? 'SEK');
      return { count: await upsertTariffs(db, tariffs) };
    });

    app.post('/tariffs/import', {
      onRequest: guards.admin,
      schema: operation({
        id: 'importTariffs', tag, access: 'admin', summary: 'Import hourly electricity prices from CSV',
        description: 'A CSV (`Content-Type: text/csv`): the header `start,price_sek_per_kwh` (or `start;…` with decimal commas, or '
          + '`start,price_ore`), then one hour per line; SEK become whole öre, rounded half up.',
        errors: { 400: 'A line that cannot be read (`invalidCsv`, naming the line) or an invalid price or hour', 415: 'A content type the server does not read (send `text/csv`)' },
      }, {
        consumes: ['text/csv'],
        body: Type.String({ minLength: 1, 'x-error-code': 'invalidCsv', examples: ['start,price_sek_per_kwh\n2025-06-02T06:00:00Z,1.24\n2025-06-02T07:00:00Z,1.42\n'] }),
        response: { 200: json('The number of hours imported', Count, { count: 2 }) },
      }),
    }, async (request) => ({ count: await upsertTariffs(db, parseTariffCsv(request.body)) }));

    app.delete('/tariffs', {
      onRequest: guards.admin,
      schema: operation({
        id: 'deleteTariffs', tag, access: 'admin', summary: 'Remove the electricity prices of a range',
        description: 'Removes the hourly prices in [`from`, `to`).',
        errors: { 400: `${badRange}, or one of them missing` },
      }, {
        querystring: Range,
        response: { 200: json('The number of hours removed', Count, { count: 24 }) },
      }),
    }, async (request) => ({ count: await deleteTariffs(db, new Date(request.query.from), new Date(request.query.to)) }));
  };
}
