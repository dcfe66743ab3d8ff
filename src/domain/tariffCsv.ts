import { CsvError, parse } from 'csv-parse/sync';
import { DomainError } from './errors.ts';
import type { Tariff } from './tariffs.ts';

const invalid = (message: string) => new DomainError('invalid', ['invalidCsv'], message);

/**
 * Reads a CSV of hourly prices as spreadsheets export it: a header, then one hour per
 * line — `start,price_sek_per_kwh` (or `price`), `start;price…` with decimal commas, or
 * `start,price_ore`; fields may be quoted, lines end in LF or CRLF, a BOM and `#` comments
 * are skipped. `start` is an ISO timestamp (the hour). Prices become whole öre, rounded
 * half up. A bad line is reported by its line number.
 */
export function parseTariffCsv(csv: string): Tariff[] {
  const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  // A `;` in the header means the spreadsheet uses decimal commas, so `,` is not a separator.
  const delimiter = firstLine.includes(';') ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv, { bom: true, delimiter, comment: '#', skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw invalid(`Line ${(error as CsvError & { lines?: number }).lines ?? '?'}: ${error.message.replace(/^Invalid [^:]*: /, '')}`);
    throw error;
  }
  const header = records.shift()?.record.map((cell) => cell.toLowerCase()) ?? [];
  const inOre = header[1] === 'price_ore';
  if (!header[0]?.startsWith('start') || !(inOre || header[1] === 'price_sek_per_kwh' || header[1] === 'price')) {
    throw invalid('The first line must be "start,price_sek_per_kwh" (or "start,price_ore")');
  }
  return records.map(({ record, info }) => {
    const [start = '', rawPrice = ''] = record;
    const startsAt = new Date(start);
    const price = Number(rawPrice.replace(',', '.'));
    if (Number.isNaN(startsAt.getTime()) || rawPrice === '' || !Number.isFinite(price) || price < 0) {
      throw invalid(`Line ${info.lines}: "${record.join(delimiter)}" is not "start${delimiter}price"`);
    }
    // toFixed first: 1.005 × 100 is 100.4999… in binary, and should round to 101.
    const ore = Number((inOre ? price : price * 100).toFixed(6));
    return { startsAt, pricePerKwhOre: Math.floor(ore + 0.5), currency: 'SEK' };
  });
}
