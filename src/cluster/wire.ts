/**
 * What travels between nodes: JSON in which Dates stay Dates (events and answers carry
 * timestamps that listeners compare and format as Dates).
 */

const DATE_KEY = '$date';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, json: unknown) {
    // Date.toJSON has already turned `json` into a string; the holder still has the Date.
    const raw = this[key];
    return raw instanceof Date && !Number.isNaN(raw.getTime()) ? { [DATE_KEY]: raw.toISOString() } : json;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => (isEncodedDate(value) ? new Date(value[DATE_KEY]) : value));
}

function isEncodedDate(value: unknown): value is { [DATE_KEY]: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === DATE_KEY && typeof (value as Record<string, unknown>)[DATE_KEY] === 'string';
}
