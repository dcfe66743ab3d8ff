/**
 * OCPP timestamps are ISO 8601 strings in UTC (ocpp-j-rules §1.8: `2024-05-01T12:00:00Z`);
 * FlexiCharge chargers send epoch numbers in seconds (float, Start/StopTransaction),
 * milliseconds (MeterValues) or larger (the manual test's 1234512345124123, microseconds).
 * The magnitude tells which (clients.md A.3, A.9).
 */

/**
 * An RFC 3339 date-time: `T` (any case, or the space RFC 3339 §5.6 allows), seconds, an
 * optional fraction, and a zone that is required: `Z` or a numeric offset (`±hh:mm`, and the
 * `±hhmm` / `±hh` forms the schemas' `date-time` format also accepts, so a timestamp the
 * schema check lets through is read the same way here).
 *
 * Hand-written rather than `Date.parse`, which V8 makes lenient where OCPP needs strict:
 * it reads a zone-less time in the server's own time zone (so the result would depend on
 * TZ), takes any text it can guess at ('1', '2024', RFC 1123 dates) and rolls impossible
 * dates over (2026-02-30 becomes 2026-03-02).
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * The instant an ISO 8601 / RFC 3339 timestamp names, or undefined when the text is no
 * such timestamp: no zone (OCPP times are UTC and must say so; no FlexiCharge client sends
 * a zone-less time, clients.md A.3), another format, or a date or time that does not exist
 * (February 30th, 24:00, a leap second, which no Date holds). Fractions below a
 * millisecond are cut off.
 */
export function parseIsoTimestamp(text: string): Date | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [, , , , , , , fraction, sign, offsetHours, offsetMinutes = '00'] = match;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (sign && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59)) return undefined;
  // setUTCFullYear, not Date.UTC, which maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // The calendar check: a day the month does not have has rolled over into the next month.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) : 0;
  date.setUTCHours(hour, minute - offset, second, ms);
  return date;
}

/**
 * A timestamp as an ISO string: an epoch number converted, a valid ISO timestamp kept as
 * the charger wrote it; undefined for anything else.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  if (typeof value === 'string') return parseIsoTimestamp(value) ? value : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const ms = value < 1e11 ? value * 1000 : value < 1e14 ? value : value / 1000;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
