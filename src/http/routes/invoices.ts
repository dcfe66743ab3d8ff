import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  generateMonthlyInvoices, getInvoice, listInvoices, setBillingDetails, setInvoiceStatus, type InvoiceFilter, type InvoiceSummary,
} from '../../domain/invoices.ts';
import type { App, HttpContext } from '../context.ts';
import { renderInvoicePdf } from '../invoicePdf.ts';
import { EXAMPLE_USER_EMAIL } from '../examples.ts';
import { json, operation, TAG } from '../openapi.ts';

const InvoiceJson = Type.Object({
  invoiceID: Type.Integer(),
  number: Type.Integer({ description: 'Sequential invoice number' }),
  userID: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  date: Type.String({ description: 'The month invoiced, YYYY-MM' }),
  createdAt: Type.String({ format: 'date-time' }),
  dueDate: Type.String({ format: 'date-time' }),
  status: Type.String({ description: 'PAID or NOT-PAID' }),
  totalSum: Type.Integer({ description: 'öre, VAT included' }),
  vat: Type.Integer({ description: 'öre' }),
  invoiceURL: Type.String({ description: 'The PDF; the link works for 7 days without signing in' }),
}, { $id: 'Invoice', description: 'An invoice as the admin GUI lists it; amounts in öre' });

const StatusFilter = Type.Unsafe<'PAID' | 'NOT-PAID'>({ type: 'string', enum: ['PAID', 'NOT-PAID', 'paid', 'unpaid'], 'x-error-code': 'invalidStatus' });
const tag = TAG.invoices;
const exampleInvoice = {
  invoiceID: 7, number: 1007, userID: '2', email: EXAMPLE_USER_EMAIL, date: '2025-05', createdAt: '2025-06-01T00:05:00.000Z',
  dueDate: '2025-07-01T00:05:00.000Z', status: 'NOT-PAID', totalSum: 24650, vat: 4930,
  invoiceURL: 'http://127.0.0.1:8080/invoices/7?token=eyJhbGciOiJIUzI1NiJ9.ZG93bmxvYWQ.c2lnbmF0dXJl',
};
const billingExample = { name: 'Alex Lind', address: 'Gjuterigatan 5', postcode: '553 18', town: 'Jönköping' };

/**
 * Monthly invoices: the admin GUI's flat lists, the PDF of one invoice (owner, admin, or
 * the link in a list), generation on demand.
 */
export function invoiceRoutes({ db, guards, tokens, config }: HttpContext) {
  const base = (request: FastifyRequest) => config.publicUrl || `${request.protocol}://${request.host}`;
  const statusOf = (status: string | undefined): InvoiceFilter['status'] =>
    status === undefined ? undefined : status.toUpperCase() === 'PAID' ? 'paid' : 'unpaid';
  async function invoiceJson(request: FastifyRequest, invoice: InvoiceSummary) {
    return {
      invoiceID: invoice.id,
      number: invoice.number,
      userID: invoice.userId === null ? null : String(invoice.userId),
      email: invoice.email,
      date: invoice.period,
      createdAt: invoice.issuedAt.toISOString(),
      dueDate: invoice.dueAt.toISOString(),
      status: invoice.status === 'paid' ? 'PAID' : 'NOT-PAID',
      totalSum: invoice.totalOre,
      vat: invoice.vatOre,
      invoiceURL: `${base(request)}/invoices/${invoice.id}?token=${await tokens.issueDownload(invoice.id)}`,
    };
  }

  return async (app: App) => {
    app.addSchema(InvoiceJson);
    const InvoiceList = json('The invoices, newest first; `[]` when there are none', Type.Array(Type.Ref(InvoiceJson)), [exampleInvoice]);

    app.get('/invoices', {
      onRequest: guards.user,
      schema: operation({
        id: 'listInvoices', tag, access: 'user', summary: 'Invoices: your own, or all for admins',
        description: 'A flat list of invoices, filtered by `year`, `month` and `status` (`PAID` / `NOT-PAID`). Each `invoiceURL` '
          + 'opens the PDF for 7 days without signing in.',
        who: 'Signed-in users (their own invoices) and admins (all invoices).',
        errors: { 400: 'Invalid filter (`invalidDateFormat`, `invalidStatus`)' },
      }, {
        querystring: Type.Object({
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, 'x-error-code': 'invalidDateFormat' })),
          month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, 'x-error-code': 'invalidDateFormat' })),
          status: Type.Optional(StatusFilter),
        }),
        response: { 200: InvoiceList },
      }),
    }, async (request) => {
      const { year, month, status } = request.query;
      const filter: InvoiceFilter = { year, month, status: statusOf(status), ...(request.auth!.role === 'admin' ? {} : { userId: request.auth!.userId }) };
      return Promise.all((await listInvoices(db, filter)).map((invoice) => invoiceJson(request, invoice)));
    });

    const BillingField = (max: number) => Type.String({ minLength: 1, maxLength: max, 'x-error-code': 'invalidBillingDetails' });
    app.post('/invoice-setup', {
      onRequest: guards.user,
      schema: operation({
        id: 'setInvoiceRecipient', tag, access: 'user', summary: 'Where your invoices go',
        description: 'The name and postal address your invoices carry, used instead of the profile\'s address.',
        errors: { 400: 'A field missing, empty or too long (`invalidBillingDetails`)' },
      }, {
        body: Type.Object(
          { name: BillingField(100), address: BillingField(200), postcode: BillingField(20), town: BillingField(100) },
          { 'x-error-code': 'invalidBillingDetails', examples: [billingExample] },
        ),
        response: {
          200: json('Saved; the details as stored', Type.Object({ name: Type.String(), address: Type.String(), postcode: Type.String(), town: Type.String() }), billingExample),
        },
      }),
    }, async (request) => {
      const { name, address, postcode, town } = request.body;
      await setBillingDetails(db, request.auth!.userId, { name, address, postcode, town });
      return { name, address, postcode, town };
    });

    app.post('/invoices/generate', {
      onRequest: guards.admin,
      schema: operation({
        id: 'generateInvoices', tag, access: 'admin', summary: 'Invoice a month now',
        description: 'Invoices the given month\'s sessions payable by invoice that are not invoiced yet (one invoice per user). '
          + 'It also happens by itself: each hour the previous month is invoiced, once.',
        errors: { 400: '`year` or `month` missing or out of range (`invalidDateFormat`)' },
      }, {
        body: Type.Object(
          { year: Type.Integer({ minimum: 2000, maximum: 2100 }), month: Type.Integer({ minimum: 1, maximum: 12 }) },
          { 'x-error-code': 'invalidDateFormat', examples: [{ year: 2025, month: 5 }] },
        ),
        response: { 200: json('The number of invoices created', Type.Object({ created: Type.Integer() }), { created: 12 }) },
      }),
    }, async (request) => ({ created: await generateMonthlyInvoices(db, request.body.year, request.body.month) }));

    app.put('/invoices/:id/status', {
      onRequest: guards.admin,
      schema: operation({
        id: 'setInvoiceStatus', tag, access: 'admin', summary: 'Mark an invoice paid or not paid',
        description: 'Sets the invoice\'s status: `PAID` (or `paid`) or `NOT-PAID` (or `unpaid`).',
        errors: { 400: 'Not an invoice id (`invoiceIdMissing`) or an unknown status (`invalidStatus`)', 404: 'No invoice has this id' },
      }, {
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647, 'x-error-code': 'invoiceIdMissing', examples: [7] }) }),
        body: Type.Object({ status: StatusFilter }, { 'x-error-code': 'invalidStatus', examples: [{ status: 'PAID' }] }),
        response: { 200: json('The new status', Type.Object({ status: Type.String() }), { status: 'PAID' }) },
      }),
    }, async (request) => {
      await setInvoiceStatus(db, request.params.id, statusOf(request.body.status)!);
      return { status: statusOf(request.body.status) === 'paid' ? 'PAID' : 'NOT-PAID' };
    });

    app.get('/invoices/:ref', {
      schema: operation({
        id: 'getInvoice', tag, access: 'user', summary: 'An invoice as PDF, or (admins, JSON) the invoices of a user',
        description: 'With an invoice id: the invoice as PDF. With a user id or e-mail address and `Accept: application/json` '
          + '(as the admin GUI sends), the invoices of that user as JSON; an id with `Accept: application/json` and no `token` '
          + 'is taken as a user id.',
        who: 'The PDF: the invoice\'s owner or an admin (`Authorization: Bearer`), or anyone with the `token` of its `invoiceURL` '
          + '(valid 7 days, and only while the owner\'s account exists and is enabled). The JSON list: admins only.',
        security: [{ bearerAuth: [] }, {}],
        errors: {
          400: '`ref` longer than 254 characters or `token` longer than 1000 (`invoiceIdMissing`)',
          403: 'The JSON list, asked by someone not an admin',
          404: 'No such invoice, not the caller\'s, or (by link) its owner\'s account deleted or disabled',
        },
      }, {
        params: Type.Object({
          ref: Type.String({ minLength: 1, maxLength: 254, 'x-error-code': 'invoiceIdMissing', description: 'An invoice id (PDF), or a user id or e-mail address (JSON)', examples: ['7'] }),
        }),
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 1000, description: 'The download token of an `invoiceURL`' })) }),
        response: {
          200: {
            description: 'The invoice as PDF; or, for `Accept: application/json`, the user\'s invoices',
            content: {
              'application/pdf': { schema: Type.Unsafe<Buffer>({ type: 'string', contentMediaType: 'application/pdf' }) },
              'application/json': { schema: Type.Array(Type.Ref(InvoiceJson)), example: [exampleInvoice] },
            },
          },
        },
      }),
    }, async (request, reply) => {
      const { ref } = request.params;
      const numeric = /^\d{1,9}$/.test(ref);
      const wantsJson = (request.headers.accept ?? '').includes('application/json');
      if (numeric && (request.query.token || !wantsJson)) {
        const id = Number(ref);
        const linked = request.query.token !== undefined && (await tokens.allowsDownload(request.query.token, id));
        const caller = linked ? 'link' as const : (await guards.user(request), request.auth!);
        const pdf = await renderInvoicePdf(await getInvoice(db, id, caller));
        return reply.type('application/pdf').header('content-disposition', `inline; filename="flexicharge-invoice-${id}.pdf"`).send(pdf);
      }
      await guards.admin(request);
      const invoices = await listInvoices(db, numeric ? { userId: Number(ref) } : { email: ref });
      return reply.send(await Promise.all(invoices.map((invoice) => invoiceJson(request, invoice))));
    });
  };
}
