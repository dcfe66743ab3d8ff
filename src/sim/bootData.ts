import type { BootData } from './dialect.ts';
import { isObject } from './payloadChecks.ts';
import { pythonFloat } from './pythonCoercion.ts';

/**
 * Reads the `data` string of a "BootData" DataTransfer: a JSON object with `connectorID` (the
 * id the charger shows as its QR code) and `chargingPrice`. Undefined when `data` is no JSON
 * object or lacks `connectorID`; `chargingPrice` is left out when float() would refuse it.
 */
export function parseBootData(data: unknown): BootData | undefined {
  if (typeof data !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !('connectorID' in parsed)) return undefined;
  const chargingPrice = pythonFloat(parsed.chargingPrice);
  return { connectorID: parsed.connectorID, ...(chargingPrice !== undefined && { chargingPrice }) };
}
