/** The public charger id, the original's `connectorID` (100000 and up). Not an OCPP connector. */
export type ChargerId = number;
/** OCPP connector number on a charger; 0 is the charger as a whole. */
export type ConnectorId = number;
export type ChargePointId = number;
export type UserId = number;
/** Money in öre (1/100 SEK). */
export type Ore = number;
/** Energy in watt-hours. */
export type Wh = number;
/** Power in watts. */
export type Watts = number;
/** Current in amperes (per phase, where a supply has several). */
export type Amperes = number;

export interface Location {
  latitude: number;
  longitude: number;
}

// Declared with the column that holds them (db/schema.ts), and known here with the domain's other values.
export { CHARGER_STATUSES, type ChargerStatus } from '../db/schema.ts';

/** How a charger frames its OCPP messages: standard 1.6-J, or the FlexiCharge charger's variant. */
export type Dialect = 'ocpp1.6' | 'flexicharge';
