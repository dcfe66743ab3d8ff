import type { ChargerId, Ore } from '../../domain/units.ts';

export const FLEXICHARGE_VENDOR = 'com.flexicharge';

/**
 * The DataTransfer a FlexiCharge charger expects after its boot: `data` is a JSON string
 * with its HTTP connectorID (shown as QR code) and the price in SEK per kWh (a number,
 * or the charger answers Rejected).
 */
export function bootDataRequest(chargerId: ChargerId, pricePerKwh: Ore) {
  return {
    vendorId: FLEXICHARGE_VENDOR,
    messageId: 'BootData',
    data: JSON.stringify({ connectorID: chargerId, chargingPrice: pricePerKwh / 100 }),
  };
}

/** A charger that answers BootData with UnknownVendorId (or a CALLERROR) is a standard one. */
export const refusesBootData = (status: unknown) => status === 'UnknownVendorId';
