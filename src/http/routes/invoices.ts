import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  generateMonthlyInvoices, getInvoice, listInvoices, setBillingDetails, setInvoiceStatus, type InvoiceFilter, type InvoiceSummary,
} from '../../domain/invoices.ts';
import type { App, HttpContext } from '../context.ts';
import { renderInvoicePdf } from '../invoicePdf.ts';
import { bearer, errorResponses } from '../schemas.ts';

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
}, { $id: 'Invoice' });

const StatusFilter = Type.Unsafe<'PAID' | 'NOT-PAID'>({ type: 'string', enum: ['PAID', 'NOT-PAID', 'paid', 'unpaid'], 'x-error-code': 'invalidStatus' });
const tags = ['invoices'];

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
    const List = { 200: Type.Array(Type.Ref(InvoiceJson)), ...errorResponses(400, 401, 403) };

    app.get('/invoices', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Invoices: your own, or all for admins (filter by year, month, status)', security: bearer,
        querystring: Type.Object({
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, 'x-error-code': 'invalidDateFormat' })),
          month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, 'x-error-code': 'invalidDateFormat' })),
          status: Type.Optional(StatusFilter),
        }),
        response: List,
      },
    }, async (request) => {
      const { year, month, status } = request.query;
      const filter: InvoiceFilter = { year, month, status: statusOf(status), ...(request.auth!.role === 'admin' ? {} : { userId: request.auth!.userId }) };
      return Promise.all((await listInvoices(db, filter)).map((invoice) => invoiceJson(request, invoice)));
    });

    const BillingField = (max: number) => Type.String({ minLength: 1, maxLength: max, 'x-error-code': 'invalidBillingDetails' });
    app.post('/invoice-setup', {
      onRequest: guards.user,
      schema: {
        tags, summary: 'Where your invoices go: name and postal address', security: bearer,
        body: Type.Object({ name: BillingField(100), address: BillingField(200), postcode: BillingField(20), town: BillingField(100) }, { 'x-error-code': 'invalidBillingDetails' }),
        response: { 200: Type.Object({ name: Type.String(), address: Type.String(), postcode: Type.String(), town: Type.String() }), ...errorResponses(400, 401) },
      },
    }, async (request) => {
      const { name, address, postcode, town } = request.body;
      await setBillingDetails(db, request.auth!.userId, { name, address, postcode, town });
      return { name, address, postcode, town };
    });

    app.post('/invoices/generate', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Invoice a month now (it also happens by itself after each month) (admin)', security: bearer,
        body: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }), month: Type.Integer({ minimum: 1, maximum: 12 }) }, { 'x-error-code': 'invalidDateFormat' }),
        response: { 200: Type.Object({ created: Type.Integer() }), ...errorResponses(400, 401, 403) },
      },
    }, async (request) => ({ created: await generateMonthlyInvoices(db, request.body.year, request.body.month) }));

    app.put('/invoices/:id/status', {
      onRequest: guards.admin,
      schema: {
        tags, summary: 'Mark an invoice paid or not paid (admin)', security: bearer,
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647, 'x-error-code': 'invoiceIdMissing' }) }),
        body: Type.Object({ status: StatusFilter }, { 'x-error-code': 'invalidStatus' }),
        response: { 200: Type.Object({ status: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request) => {
      await setInvoiceStatus(db, request.params.id, statusOf(request.body.status)!);
      return { status: statusOf(request.body.status) === 'paid' ? 'PAID' : 'NOT-PAID' };
    });

    app.get('/invoices/:ref', {
      schema: {
        tags, security: bearer,
        summary: 'An invoice as PDF (owner, admin, or ?token= from its invoiceURL); for admins asking for JSON, the invoices of a user id or e-mail',
        params: Type.Object({ ref: Type.String({ minLength: 1, maxLength: 254, 'x-error-code': 'invoiceIdMissing' }) }),
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 1000 })) }),
      },
    }, async (request, reply) => {
      const { ref } = request.params;
      const numeric = /^\d{1,9}$/.test(ref);
      const wantsJson = (request.headers.accept ?? '').includes('application/json');
      if (numeric && (request.query.token || !wantsJson)) {
        const id = Number(ref);
        const linked = request.query.token !== undefined && (await tokens.allowsDownload(request.query.token, id));
        const caller = linked ? { userId: 0, role: 'admin' as const, email: '', tokenVersion: 0 } : (await guards.user(request), request.auth!);
        const pdf = await renderInvoicePdf(await getInvoice(db, id, caller));
        return reply.type('application/pdf').header('content-disposition', `inline; filename="flexicharge-invoice-${id}.pdf"`).send(pdf);
      }
      await guards.admin(request);
      const invoices = await listInvoices(db, numeric ? { userId: Number(ref) } : { email: ref });
      return reply.send(await Promise.all(invoices.map((invoice) => invoiceJson(request, invoice))));
    });
  };
}
