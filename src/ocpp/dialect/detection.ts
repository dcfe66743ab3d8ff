import type { Dialect } from '../../domain/units.ts';

/**
 * How a connection tells which dialect its charger speaks. The stored dialect is the
 * start; what the charger does on the wire corrects it.
 */

/** A client that offers no subprotocol (a person with Postman) is served as the FlexiCharge charger. */
export const dialectOnConnect = (offeredProtocols: readonly string[], stored: Dialect): Dialect =>
  offeredProtocols.length === 0 ? 'flexicharge' : stored;

/** Only the FlexiCharge charger puts the action name into its CALLRESULTs. */
export const dialectOfAnswer = (namedAction: boolean): Dialect => (namedAction ? 'flexicharge' : 'ocpp1.6');

/** A CALL that needed the FlexiCharge rewrites (normalize.ts) comes from that charger. */
export const dialectOfDeviations = (deviations: readonly string[]): Dialect | undefined => (deviations.length ? 'flexicharge' : undefined);

/** The FlexiCharge charger waits for BootData after its boot; standard chargers get none. */
export const wantsBootData = (dialect: Dialect) => dialect === 'flexicharge';
