import { request } from '../../api.ts';

/**
 * Fetches an invoice's PDF with the admin's token (a plain link would carry no
 * Authorization header) and saves it through a Blob URL. It is saved rather than opened in a
 * tab: a blob: document inherits the dashboard's Content-Security-Policy, which leaves no
 * room for the browser's PDF viewer.
 */
export async function downloadInvoicePdf(invoiceId: number): Promise<void> {
  const response = await request(`/invoices/${invoiceId}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `flexicharge-invoice-${invoiceId}.pdf`;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started reading the URL by now; a minute is ample before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
