import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { sek } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { dateLabel, periodLabel } from './calendar.ts';
import { downloadInvoicePdf } from './invoicePdf.ts';
import type { Invoice, InvoiceStatus } from './invoiceTypes.ts';

interface Props {
  invoice: Invoice;
  onStatus: (id: number, status: InvoiceStatus) => void;
  onError: (message: string) => void;
}

const messageOf = (reason: unknown) => t('common.error', { message: reason instanceof Error ? reason.message : String(reason) });

/** One invoice, with its paid/unpaid switch (PUT /invoices/:id/status) and its PDF. */
export function InvoiceRow({ invoice, onStatus, onError }: Props) {
  const [busy, setBusy] = useState<'status' | 'pdf' | null>(null);
  const paid = invoice.status === 'PAID';
  const number = invoice.number;

  async function toggle() {
    setBusy('status');
    try {
      const { status } = await api<{ status: InvoiceStatus }>(`/invoices/${invoice.invoiceID}/status`, {
        method: 'PUT', body: { status: paid ? 'NOT-PAID' : 'PAID' },
      });
      onStatus(invoice.invoiceID, status);
    } catch (reason) {
      onError(messageOf(reason));
    } finally {
      setBusy(null);
    }
  }

  async function pdf() {
    setBusy('pdf');
    try {
      await downloadInvoicePdf(invoice.invoiceID);
    } catch (reason) {
      onError(messageOf(reason));
    } finally {
      setBusy(null);
    }
  }

  return (
    <tr data-testid={`invoice-${invoice.invoiceID}`}>
      <td>{number}</td>
      <td>{periodLabel(invoice.date)}</td>
      <td>{invoice.email ?? (invoice.userID ? t('money.invoices.userId', { id: invoice.userID }) : '–')}</td>
      <td><time dateTime={invoice.dueDate}>{dateLabel(invoice.dueDate)}</time></td>
      <td><span class={`badge ${paid ? 'ok' : 'warn'}`}>{paid ? t('money.invoices.paid') : t('money.invoices.unpaid')}</span></td>
      <td class="amount">{sek(invoice.totalSum)}</td>
      <td class="amount">{sek(invoice.vat)}</td>
      <td>
        <div class="invoice-actions">
          <button type="button" disabled={busy !== null} onClick={() => void toggle()}
            aria-label={t(paid ? 'money.invoices.markUnpaidLabel' : 'money.invoices.markPaidLabel', { number })}>
            {paid ? t('money.invoices.markUnpaid') : t('money.invoices.markPaid')}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => void pdf()} aria-label={t('money.invoices.pdfLabel', { number })}>
            {t('money.invoices.pdf')}
          </button>
        </div>
      </td>
    </tr>
  );
}
