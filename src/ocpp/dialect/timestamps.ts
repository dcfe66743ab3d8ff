/**
 * OCPP timestamps are ISO 8601 strings; FlexiCharge chargers send epoch numbers in
 * seconds (float, Start/StopTransaction), milliseconds (MeterValues) or larger (the
 * manual test's 1234512345124123, microseconds). The magnitude tells which.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  if (typeof value === 'string') return Number.isNaN(Date.parse(value)) ? undefined : value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const ms = value < 1e11 ? value * 1000 : value < 1e14 ? value : value / 1000;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
