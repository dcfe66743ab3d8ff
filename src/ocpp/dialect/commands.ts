import type { Dialect } from '../../domain/units.ts';

type Payload = Record<string, unknown>;

/** A tag the FlexiCharge charger can read: it passes idTags through Python's int(). */
const integerLike = (tag: unknown) => (typeof tag === 'string' && /^\d{1,15}$/.test(tag) ? Number(tag) : tag);

/**
 * Shapes a standard server→charger payload for the charger's dialect. The FlexiCharge
 * charger reads `connectorID`, `transactionID` and `reservationID` and an integer idTag;
 * it ignores unknown keys, so the standard keys stay alongside.
 */
export function shapeCommand(dialect: Dialect, action: string, payload: Payload): Payload {
  if (dialect !== 'flexicharge') return payload;
  switch (action) {
    case 'RemoteStartTransaction':
      return { ...payload, connectorID: payload.connectorId ?? 1, idTag: integerLike(payload.idTag) };
    case 'RemoteStopTransaction':
      return { ...payload, transactionID: payload.transactionId };
    case 'ReserveNow':
      return {
        ...payload,
        connectorID: payload.connectorId,
        reservationID: payload.reservationId,
        idTag: integerLike(payload.idTag),
        ...(payload.parentIdTag !== undefined ? { parentIdTag: integerLike(payload.parentIdTag) } : {}),
      };
    case 'CancelReservation':
      return { ...payload, reservationID: payload.reservationId };
    default:
      return payload;
  }
}
