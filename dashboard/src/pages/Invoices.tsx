import { useState } from 'preact/hooks';
import { query } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useApi } from '../data.ts';
import { sek } from '../format.ts';
import { t } from '../i18n/index.ts';
import { monthName } from './money/calendar.ts';
import { InvoiceGenerate } from './money/InvoiceGenerate.tsx';
import { InvoiceRow } from './money/InvoiceRow.tsx';
import type { Invoice, InvoiceFilter, InvoiceStatus } from './money/invoiceTypes.ts';

const NO_FILTER: InvoiceFilter = { year: '', month: '', status: '', email: '' };

/**
 * GET /invoices filters by year, month and status; a user's invoices come from
 * GET /invoices/:email, which has no other filter, so those are applied to its answer here.
 */
function pathOf(filter: InvoiceFilter): string {
  if (filter.email) return `/invoices/${encodeURIComponent(filter.email)}`;
  return `/invoices${query({ year: filter.year, month: filter.month, status: filter.status })}`;
}

function matches(invoice: Invoice, filter: InvoiceFilter): boolean {
  const [year, month] = invoice.date.split('-').map(Number);
  return (!filter.year || year === Number(filter.year)) && (!filter.month || month === Number(filter.month))
    && (!filter.status || invoice.status === filter.status);
}

function Filters({ onApply }: { onApply: (filter: InvoiceFilter) => void }) {
  const [draft, setDraft] = useState(NO_FILTER);
  const set = (change: Partial<InvoiceFilter>) => setDraft({ ...draft, ...change });
  return (
    <form class="filters" aria-label={t('money.invoices.filters')} onSubmit={(event) => { event.preventDefault(); onApply({ ...draft, email: draft.email.trim() }); }}>
      <label>
        {t('money.invoices.year')}
        <input type="number" min={2000} max={2100} value={draft.year} onInput={(event) => set({ year: event.currentTarget.value })} />
      </label>
      <label>
        {t('money.invoices.month')}
        <select value={draft.month} onChange={(event) => set({ month: event.currentTarget.value })}>
          <option value="">{t('common.all')}</option>
          {Array.from({ length: 12 }, (_, index) => <option key={index} value={index + 1}>{monthName(index + 1)}</option>)}
        </select>
      </label>
      <label>
        {t('money.invoices.status')}
        <select value={draft.status} onChange={(event) => set({ status: event.currentTarget.value as InvoiceFilter['status'] })}>
          <option value="">{t('common.all')}</option>
          <option value="PAID">{t('money.invoices.paid')}</option>
          <option value="NOT-PAID">{t('money.invoices.unpaid')}</option>
        </select>
      </label>
      <label>
        {t('money.invoices.user')}
        <input type="email" value={draft.email} aria-describedby="invoice-user-hint" onInput={(event) => set({ email: event.currentTarget.value })} />
      </label>
      <button type="submit">{t('common.filter')}</button>
      <p id="invoice-user-hint" class="muted hint">{t('money.invoices.userHint')}</p>
    </form>
  );
}

function InvoiceTable({ invoices, onStatus, onError }: {
  invoices: Invoice[];
  onStatus: (id: number, status: InvoiceStatus) => void;
  onError: (message: string) => void;
}) {
  if (invoices.length === 0) return <p class="muted">{t('money.invoices.none')}</p>;
  const total = invoices.reduce((sum, invoice) => sum + invoice.totalSum, 0);
  const unpaid = invoices.reduce((sum, invoice) => sum + (invoice.status === 'PAID' ? 0 : invoice.totalSum), 0);
  return (
    <>
      <p role="status">{t('money.invoices.sum', { count: invoices.length, total: sek(total), unpaid: sek(unpaid) })}</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('money.invoices.number')}</th>
              <th scope="col">{t('money.invoices.period')}</th>
              <th scope="col">{t('money.invoices.recipient')}</th>
              <th scope="col">{t('money.invoices.due')}</th>
              <th scope="col">{t('money.invoices.status')}</th>
              <th scope="col" class="amount">{t('money.invoices.total')}</th>
              <th scope="col" class="amount">{t('money.invoices.vat')}</th>
              <th scope="col">{t('money.invoices.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((invoice) => <InvoiceRow key={invoice.invoiceID} invoice={invoice} onStatus={onStatus} onError={onError} />)}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** #/invoices: the invoices, their payment status and PDFs, and invoicing a month on demand. */
export function Invoices(_props: { params: Record<string, string> }) {
  const [filter, setFilter] = useState(NO_FILTER);
  const [error, setError] = useState<string | null>(null);
  const loaded = useApi<Invoice[]>(pathOf(filter));
  const onStatus = (id: number, status: InvoiceStatus) => {
    setError(null);
    loaded.update((invoices) => invoices.map((invoice) => (invoice.invoiceID === id ? { ...invoice, status } : invoice)));
  };

  return (
    <>
      <PageHeader title={t('money.invoices.title')} />
      <Filters onApply={(next) => { setError(null); setFilter(next); }} />
      {error && <p class="notice error" role="alert">{error}</p>}
      <section class="panel money-panel" aria-label={t('money.invoices.title')}>
        <Async loaded={loaded}>
          {(invoices) => <InvoiceTable invoices={filter.email ? invoices.filter((invoice) => matches(invoice, filter)) : invoices} onStatus={onStatus} onError={setError} />}
        </Async>
      </section>
      <InvoiceGenerate onGenerated={loaded.reload} />
    </>
  );
}
