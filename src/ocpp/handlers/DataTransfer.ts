import { FLEXICHARGE_VENDOR } from '../dialect/bootData.ts';
import type { Handler } from './context.ts';

/** Enough of a vendor message to read in the log; the rest is the charger's business. */
const LOGGED_DATA = 1000;

/**
 * Vendor messages. FlexiCharge chargers may report their charge level; anything else
 * gets the standard UnknownVendorId / UnknownMessageId answer (never a CALLERROR).
 */
export const DataTransfer: Handler = async (_deps, connection, payload) => {
  if (payload.vendorId !== FLEXICHARGE_VENDOR) return { response: { status: 'UnknownVendorId' } };
  if (payload.messageId === 'ChargeLevelUpdate' || payload.messageId === 'BootData') {
    connection.log.info({ messageId: payload.messageId, data: typeof payload.data === 'string' ? payload.data.slice(0, LOGGED_DATA) : undefined }, 'charge level reported');
    return { response: { status: 'Accepted' } };
  }
  return { response: { status: 'UnknownMessageId' } };
};
