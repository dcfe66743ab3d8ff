import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { DomainError, notFound } from './errors.ts';
import type { AccessClaims } from './tokens.ts';
import type { Ore, UserId } from './units.ts';

/** Swedish VAT; session prices include it. */
export const VAT_PERCENT = 25;
const PAYMENT_DAYS = 30;

/** The VAT inside a VAT-inclusive amount, rounded half up to whole öre. */
export const vatOf = (total: Ore): Ore => Math.floor((total * VAT_PERCENT) / (100 + VAT_PERCENT) + 0.5);

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month - 1, 1));
/** A `YYYY-MM-DD` literal as a SQL date (the column is a date, not a timestamp). */
const asDate = (day: string) => sql<Date>`${day}::date`;

export interface InvoiceSummary {
  id: number;
  number: number;
  userId: UserId | null;
  email: string | null;
  period: string;
  issuedAt: Date;
  dueAt: Date;
  status: 'unpaid' | 'paid';
  netOre: Ore;
  vatOre: Ore;
  totalOre: Ore;
}

/**
 * Invoices every user for the sessions that are payable by invoice, completed before the
 * end of the month and not invoiced yet (late ones join the next invoice): one invoice per
 * user and month, numbered in sequence, one line per session. Safe to run again.
 */
export async function generateMonthlyInvoices(db: Db, year: number, month: number, now = new Date()): Promise<number> {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) throw new DomainError('invalid', ['invalidDateFormat'], 'year and month');
  const end = monthStart(year, month + 1);
  const period = monthStart(year, month).toISOString().slice(0, 10);
  return db.transaction().execute(async (trx) => {
    // Numbers are sequential: one generation at a time.
    await sql`lock table invoices in exclusive mode`.execute(trx);
    const sessions = await trx
      .selectFrom('charging_sessions as s')
      .innerJoin('payments as p', 'p.session_id', 's.id')
      .leftJoin('invoice_lines as l', 'l.session_id', 's.id')
      .leftJoin('chargers as c', 'c.id', 's.charger_id')
      .leftJoin('charge_points as cp', 'cp.id', 'c.charge_point_id')
      .select(['s.id', 's.user_id', 's.energy_wh', 's.price_ore', 's.started_at', 's.stopped_at', 'cp.name as site'])
      .where('s.status', '=', 'Completed')
      .where('s.price_ore', 'is not', null)
      .where('s.user_id', 'is not', null)
      .where('s.stopped_at', '<', end)
      .where('p.status', '=', 'Invoiced')
      .where('l.id', 'is', null)
      .orderBy('s.stopped_at')
      .execute();
    const byUser = new Map<number, typeof sessions>();
    for (const session of sessions) byUser.set(session.user_id!, [...(byUser.get(session.user_id!) ?? []), session]);
    const existing = await trx.selectFrom('invoices').select('user_id').where('period', '=', asDate(period)).execute();
    const invoiced = new Set(existing.map((row) => row.user_id));
    let { next } = await trx.selectFrom('invoices').select((eb) => eb.fn.coalesce(eb.fn.max('number'), eb.lit(0)).as('next')).executeTakeFirstOrThrow();
    let created = 0;
    for (const [userId, lines] of byUser) {
      if (invoiced.has(userId)) continue;
      const total = lines.reduce((sum, line) => sum + line.price_ore!, 0);
      const vat = vatOf(total);
      const invoice = await trx
        .insertInto('invoices')
        .values({
          number: (next = Number(next) + 1), user_id: userId, period, issued_at: now,
          due_at: new Date(now.getTime() + PAYMENT_DAYS * 86_400_000), net_ore: total - vat, vat_ore: vat, total_ore: total,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('invoice_lines').values(lines.map((line) => ({
        invoice_id: invoice.id,
        session_id: line.id,
        description: `Charging${line.site ? ` at ${line.site}` : ''}, ${(line.started_at ?? line.stopped_at!).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        energy_wh: line.energy_wh,
        amount_ore: line.price_ore!,
      }))).execute();
      created++;
    }
    return created;
  });
}

function summaries(db: Db) {
  return db
    .selectFrom('invoices as i')
    .leftJoin('users as u', 'u.id', 'i.user_id')
    .select([
      'i.id', 'i.number', 'i.user_id as userId', 'u.email', 'i.period', 'i.issued_at as issuedAt', 'i.due_at as dueAt', 'i.status',
      'i.net_ore as netOre', 'i.vat_ore as vatOre', 'i.total_ore as totalOre',
    ])
    .orderBy('i.number', 'desc');
}

const toSummary = (row: any): InvoiceSummary => ({ ...row, period: new Date(row.period).toISOString().slice(0, 7) });

export interface InvoiceFilter {
  userId?: UserId;
  email?: string;
  year?: number;
  month?: number;
  status?: 'paid' | 'unpaid';
}

export async function listInvoices(db: Db, filter: InvoiceFilter): Promise<InvoiceSummary[]> {
  let query = summaries(db);
  if (filter.userId !== undefined) query = query.where('i.user_id', '=', filter.userId);
  if (filter.email !== undefined) query = query.where((eb) => eb(eb.fn('lower', ['u.email']), '=', filter.email!.toLowerCase()));
  if (filter.status) query = query.where('i.status', '=', filter.status);
  if (filter.year !== undefined) {
    const from = filter.month ? monthStart(filter.year, filter.month) : monthStart(filter.year, 1);
    const to = filter.month ? monthStart(filter.year, filter.month + 1) : monthStart(filter.year + 1, 1);
    query = query.where('i.period', '>=', asDate(from.toISOString().slice(0, 10))).where('i.period', '<', asDate(to.toISOString().slice(0, 10)));
  }
  return (await query.execute()).map(toSummary);
}

export interface InvoiceDocument {
  invoice: InvoiceSummary;
  customer: { name: string; email: string; address: string[] };
  lines: { description: string; energyWh: number; amountOre: Ore }[];
}

/** An invoice with its lines, for its owner, an admin, or its link while the owner's account is active (others: not found). */
export async function getInvoice(db: Db, id: number, caller: AccessClaims | 'link'): Promise<InvoiceDocument> {
  const row = await summaries(db).where('i.id', '=', id).executeTakeFirst();
  if (!row || (caller !== 'link' && caller.role !== 'admin' && row.userId !== caller.userId)) throw notFound(`Invoice ${id}`);
  const user = row.userId === null ? undefined : await db.selectFrom('users').selectAll().where('id', '=', row.userId).executeTakeFirst();
  // A link (no sign-in) opens the invoice only while its owner's account exists and is enabled.
  if (caller === 'link' && (!user || user.deleted_at !== null || !user.enabled)) throw notFound(`Invoice ${id}`);
  const lines = await db.selectFrom('invoice_lines').select(['description', 'energy_wh as energyWh', 'amount_ore as amountOre']).where('invoice_id', '=', id).orderBy('id').execute();
  // Billing details from POST /invoice-setup win over the profile.
  const billing = user?.billing_name ? [user.billing_address, [user.billing_postcode, user.billing_town].filter(Boolean).join(' ')] : undefined;
  return {
    invoice: toSummary(row),
    customer: {
      name: user?.billing_name || [user?.first_name, user?.last_name].filter(Boolean).join(' '),
      email: user?.email ?? '',
      address: (billing ?? [user?.street_address, [user?.zip_code, user?.city].filter(Boolean).join(' '), user?.country]).filter((part): part is string => Boolean(part)),
    },
    lines,
  };
}

export async function setInvoiceStatus(db: Db, id: number, status: 'paid' | 'unpaid'): Promise<void> {
  const result = await db.updateTable('invoices').set({ status, paid_at: status === 'paid' ? new Date() : null }).where('id', '=', id).executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw notFound(`Invoice ${id}`);
}

export interface BillingDetails {
  name: string;
  address: string;
  postcode: string;
  town: string;
}

/** Where a user's invoices go (POST /invoice-setup). */
export async function setBillingDetails(db: Db, userId: UserId, details: BillingDetails): Promise<void> {
  await db
    .updateTable('users')
    .set({ billing_name: details.name, billing_address: details.address, billing_postcode: details.postcode, billing_town: details.town, updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
}
