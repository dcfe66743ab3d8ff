import type { ReportedMeterValue, ReportedSample } from '../../domain/meterValues.ts';
import type { ConnectorId, Wh } from '../../domain/units.ts';
import { parseIsoTimestamp } from '../dialect/timestamps.ts';

/**
 * Reading the fields of transaction messages, which are never refused (ocpp-j-rules
 * §1.10): a value the data model cannot hold (beyond int32 for ids, beyond 2^53 or
 * negative for meters, a date PostgreSQL cannot store, NUL characters) becomes null or a
 * fallback, and its name goes into `flags` so a person sees what the charger sent.
 */

const INT32_MAX = 2_147_483_647;
/** CiString20 (OCPP 1.6); a longer tag cannot be a card, but is kept (this long) for the record. */
const ID_TAG_LENGTH = 20;
const KEPT_ID_TAG_LENGTH = 64;
/** SignedData values are long base64; anything beyond is no meter reading. */
const RAW_VALUE_LENGTH = 2500;
const FIELD_LENGTH = 64;

const CONTROL = /[\u0000-\u001f\u007f]/;
const NUL = /\u0000/g;

/** Text as PostgreSQL can store it (no NUL), at most `length` characters; null for anything but text. */
export function readText(value: unknown, length = FIELD_LENGTH): string | null {
  if (typeof value !== 'string') return null;
  const clean = value.includes('\u0000') ? value.replace(NUL, '\uFFFD') : value;
  return clean.length > length ? clean.slice(0, length) : clean;
}

export function readConnectorId(value: unknown, flags: string[]): ConnectorId | null {
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT32_MAX) return value as number;
  flags.push('invalidConnectorId');
  return null;
}

/** A transactionId or reservationId that can name a row; null for anything else (-1, 0, 1e300, text). */
export function readRowId(value: unknown): number | null {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) <= INT32_MAX ? (value as number) : null;
}

/** A meter register in Wh: whole, not negative, exact in a double. */
export function readWh(value: unknown, flag: string, flags: string[]): Wh | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return Math.round(value);
  flags.push(flag);
  return null;
}

/** Years PostgreSQL's timestamptz and ISO 8601 without an expanded year both hold. */
function storable(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}

/**
 * An ISO timestamp with a zone (numeric ones were converted by the dialect); `fallback`
 * when missing, not strict ISO 8601 / RFC 3339 (zone-less, another format, an impossible
 * date: see parseIsoTimestamp) or beyond what PostgreSQL stores.
 */
export function readTime(value: unknown, fallback: Date, flags: string[]): Date {
  const date = typeof value === 'string' ? parseIsoTimestamp(value) : undefined;
  if (date && storable(date)) return date;
  flags.push('invalidTimestamp');
  return fallback;
}

export function readIdTag(value: unknown, flags: string[]): { idTag: string | null; idTagUsable: boolean } {
  const text = readText(value, KEPT_ID_TAG_LENGTH);
  if (text === null) return { idTag: null, idTagUsable: false };
  const usable = text.length > 0 && text.length <= ID_TAG_LENGTH && !CONTROL.test(value as string);
  if (!usable) flags.push('invalidIdTag');
  return { idTag: text, idTagUsable: usable };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readSample(value: unknown): ReportedSample | undefined {
  if (!isObject(value)) return undefined;
  const raw = value.value;
  return {
    raw: typeof raw === 'string' ? readText(raw, RAW_VALUE_LENGTH)! : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '',
    context: readText(value.context) ?? 'Sample.Periodic',
    format: readText(value.format),
    measurand: readText(value.measurand) ?? 'Energy.Active.Import.Register',
    phase: readText(value.phase),
    location: readText(value.location),
    unit: readText(value.unit),
  };
}

/**
 * The meterValue list of a MeterValues or a StopTransaction's transactionData. A reading
 * without a usable time is kept at the time it arrived.
 */
export function readMeterValues(value: unknown, receivedAt: Date): ReportedMeterValue[] {
  if (!Array.isArray(value)) return [];
  const meterValues: ReportedMeterValue[] = [];
  for (const entry of value) {
    if (!isObject(entry) || !Array.isArray(entry.sampledValue)) continue;
    const samples: ReportedSample[] = [];
    for (const sample of entry.sampledValue) {
      const read = readSample(sample);
      if (read) samples.push(read);
    }
    meterValues.push({ sampledAt: readTime(entry.timestamp, receivedAt, []), samples });
  }
  return meterValues;
}
