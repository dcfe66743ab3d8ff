import { language } from './i18n/index.ts';

const locale = language === 'en' ? 'en-GB' : language;
const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'SEK' });
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });

/** Watt-hours as kWh. */
export const kWh = (wh: number | null | undefined) => (wh === null || wh === undefined ? '–' : `${number.format(wh / 1000)} kWh`);
/** Watts as kW. */
export const kW = (w: number | null | undefined) => (w === null || w === undefined ? '–' : `${number.format(w / 1000)} kW`);
/** Öre as kronor. */
export const sek = (ore: number | null | undefined) => (ore === null || ore === undefined ? '–' : money.format(ore / 100));
export const when = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '–');
export const num = (value: number | null | undefined) => (value === null || value === undefined ? '–' : number.format(value));
const axisNumber = new Intl.NumberFormat(locale, { maximumSignificantDigits: 4 });
/** A chart axis tick: as many digits as tell small values apart (0.0012 kWh), no more. */
export const tick = (value: number) => axisNumber.format(value);

/** "3 minutes ago" for a time in the past ("now" for one newer than the page's clock, which ticks every few seconds). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const seconds = Math.min(0, Math.round((new Date(iso).getTime() - now) / 1000));
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}
