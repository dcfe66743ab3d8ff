import type { Logger } from 'pino';
import type { DataTransferRequest, DataTransferResponse } from '../protocol/ocpp16.types.ts';
import { FLEXICHARGE_VENDOR } from './bootData.ts';

/** Enough of a vendor message to read in the log; the rest is the charger's business. */
const LOGGED_DATA = 1000;

/**
 * A charger's DataTransfer. FlexiCharge chargers may report their charge level; anything
 * else gets the standard UnknownVendorId / UnknownMessageId answer (never a CALLERROR).
 */
export function answerVendorMessage(request: DataTransferRequest, log: Logger): DataTransferResponse {
  if (request.vendorId !== FLEXICHARGE_VENDOR) return { status: 'UnknownVendorId' };
  if (request.messageId === 'ChargeLevelUpdate' || request.messageId === 'BootData') {
    log.info({ messageId: request.messageId, data: request.data?.slice(0, LOGGED_DATA) }, 'charge level reported');
    return { status: 'Accepted' };
  }
  return { status: 'UnknownMessageId' };
}
