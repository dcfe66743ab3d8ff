import { VAT_PERCENT, type InvoiceDocument } from '../domain/invoices.ts';

const sek = (ore: number) => `${(ore / 100).toFixed(2).replace('.', ',')} SEK`;
const kwh = (wh: number) => `${(wh / 1000).toFixed(2).replace('.', ',')} kWh`;
const day = (date: Date) => date.toISOString().slice(0, 10);

/** An A4 invoice: seller, customer, number and dates, one line per charging session, VAT and totals. */
export async function renderInvoicePdf({ invoice, customer, lines }: InvoiceDocument): Promise<Buffer> {
  // Loaded with the first invoice: pdfkit and its fonts are a tenth of an idle server's memory.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `FlexiCharge invoice ${invoice.number}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(20).text('FlexiCharge', 50, 50).fontSize(10).text('EV charging in the Jönköping region');
  doc.fontSize(16).text(`Invoice ${invoice.number}`, 350, 50, { align: 'right' });
  doc.fontSize(10)
    .text(`Invoice date: ${day(invoice.issuedAt)}`, 350, 75, { align: 'right' })
    .text(`Due date: ${day(invoice.dueAt)}`, { align: 'right' })
    .text(`Period: ${invoice.period}`, { align: 'right' })
    .text(`Status: ${invoice.status === 'paid' ? 'Paid' : 'Not paid'}`, { align: 'right' });

  doc.fontSize(11).text('Bill to', 50, 140).fontSize(10);
  for (const line of [customer.name, ...customer.address, customer.email].filter(Boolean)) doc.text(line);

  let y = 230;
  doc.fontSize(10).text('Description', 50, y).text('Energy', 360, y, { width: 80, align: 'right' }).text('Amount', 450, y, { width: 95, align: 'right' });
  doc.moveTo(50, y + 14).lineTo(545, y + 14).stroke();
  y += 22;
  for (const line of lines) {
    if (y > 740) {
      doc.addPage();
      y = 50;
    }
    doc.text(line.description, 50, y, { width: 300 }).text(kwh(line.energyWh), 360, y, { width: 80, align: 'right' }).text(sek(line.amountOre), 450, y, { width: 95, align: 'right' });
    y += 18;
  }
  doc.moveTo(50, y + 4).lineTo(545, y + 4).stroke();
  y += 14;
  const total = (label: string, ore: number) => {
    doc.text(label, 300, y, { width: 140, align: 'right' }).text(sek(ore), 450, y, { width: 95, align: 'right' });
    y += 16;
  };
  total('Net amount', invoice.netOre);
  total(`VAT ${VAT_PERCENT} %`, invoice.vatOre);
  doc.font('Helvetica-Bold');
  total('Total to pay', invoice.totalOre);
  doc.font('Helvetica').fontSize(9).text(`Please pay by ${day(invoice.dueAt)} and quote invoice number ${invoice.number}.`, 50, y + 20);
  doc.end();
  return done;
}
