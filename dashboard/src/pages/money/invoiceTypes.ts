/** An invoice as GET /invoices lists it; amounts in öre. */
export interface Invoice {
  invoiceID: number;
  number: number;
  userID: string | null;
  email: string | null;
  /** The month invoiced, `YYYY-MM`. */
  date: string;
  createdAt: string;
  dueDate: string;
  status: 'PAID' | 'NOT-PAID';
  totalSum: number;
  vat: number;
  invoiceURL: string;
}

export type InvoiceStatus = Invoice['status'];

export interface InvoiceFilter {
  year: string;
  month: string;
  status: '' | InvoiceStatus;
  /** A user's e-mail address: their invoices come from GET /invoices/:email instead. */
  email: string;
}
