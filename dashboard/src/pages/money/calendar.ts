import { language } from '../../i18n/index.ts';

// The same locale as format.ts, so dates read alike across the pages.
const locale = language === 'en' ? 'en-GB' : language;
const monthFormat = new Intl.DateTimeFormat(locale, { month: 'long' });
const periodFormat = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const hourFormat = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });

/** The name of month 1–12. */
export const monthName = (month: number) => monthFormat.format(new Date(2000, month - 1, 1));

/** An invoice period, `YYYY-MM`, as "May 2026". */
export function periodLabel(period: string): string {
  const [year, month] = period.split('-').map(Number);
  return year && month ? periodFormat.format(new Date(Date.UTC(year, month - 1, 1))) : period;
}

/** The start of an hour in the browser's time zone: "Mon 30 Nov, 14:00". */
export const hourLabel = (iso: string) => hourFormat.format(new Date(iso));

/** A date input's value (`YYYY-MM-DD`, local) as "30 Nov 2026". */
export const dayLabel = (day: string) => dayFormat.format(localMidnight(day));

/** The day of a time: "30 Nov 2026". */
export const dateLabel = (iso: string) => dayFormat.format(new Date(iso));

/** `YYYY-MM-DD` of the local day `offset` days from today, as a date input holds it. */
export function localDay(offset: number, now = new Date()): string {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

/** Local midnight at the start of a date input's day (`days` later). */
export function localMidnight(day: string, days = 0): Date {
  const [year = 1970, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(year, month - 1, date + days);
}

/** The month before the current one, as the generate form's default. */
export function previousMonth(now = new Date()): { year: number; month: number } {
  const first = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return { year: first.getFullYear(), month: first.getMonth() + 1 };
}
