import type { Dialect } from '../../domain/units.ts';

type Payload = Record<string, unknown>;

/** A tag the FlexiCharge charger can read: it passes idTags through Python's int(). */
const integerLike = (tag: unknown) => (typeof tag === 'string' && /^\d{1,15}$/.test(tag) ? Number(tag) : tag);

/**
 * The FlexiCharge firmware answers every ReserveNow after its first with Occupied for the
 * rest of its life, so its reservations are kept on the server only.
 */
export const supportsReservations = (dialect: Dialect) => dialect !== 'flexicharge';

/**
 * Commands the FlexiCharge firmware never answers (it logs "Could not handle message") that
 * the server sends on its own after every boot. Sent, they would hold the charger's one
 * queue of commands until the call timeout, delaying a session's RemoteStartTransaction.
 */
const FLEXICHARGE_UNANSWERED = new Set(['GetConfiguration', 'ChangeConfiguration']);

/** Whether the charger answers the command at all (else it is not sent). */
export const answersCommand = (dialect: Dialect, action: string) => dialect !== 'flexicharge' || !FLEXICHARGE_UNANSWERED.has(action);

/**
 * The FlexiCharge firmware starts only for the idTag of its reservation, or 1 when it has
 * none; the session's own tag still identifies the StartTransaction that follows.
 */
const FLEXICHARGE_UNRESERVED_TAG = 1;

/**
 * Shapes a standard server→charger payload for the charger's dialect. The FlexiCharge
 * charger reads `connectorID`, `transactionID` and `reservationID` and an integer idTag;
 * it ignores unknown keys, so the standard keys stay alongside.
 */
export function shapeCommand(dialect: Dialect, action: string, payload: Payload, reservedIdTag?: string): Payload {
  if (dialect !== 'flexicharge') return payload;
  switch (action) {
    case 'RemoteStartTransaction':
      return { ...payload, connectorID: payload.connectorId ?? 1, idTag: integerLike(reservedIdTag) ?? FLEXICHARGE_UNRESERVED_TAG };
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

/**
 * The idTag a StartTransaction is for. A FlexiCharge charger reports the tag it was sent
 * (1 or its reserved tag, or none at all), not the session's, so after a remote start the
 * session's tag is the one that counts; other chargers report their own.
 */
export function startTagOf(dialect: Dialect, reported: string | undefined, remoteStartTag: string | undefined): string | undefined {
  return dialect === 'flexicharge' ? (remoteStartTag ?? reported) : (reported ?? remoteStartTag);
}
