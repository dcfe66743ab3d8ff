/**
 * What the OCPP layer reports about its traffic, for whoever watches it (the Prometheus
 * metrics). Called on the message path: an implementation must be synchronous and cheap.
 */
export interface OcppObserver {
  /** A charger's CALL of `action` arrived (before it is checked). */
  callReceived(action: string): void;
  /**
   * A charger's CALL was answered: with a CALLRESULT, or with a CALLERROR of `errorCode`.
   * `action` is undefined for a frame that could not be read.
   */
  callAnswered(action: string | undefined, errorCode?: string): void;
  /** One of our commands went out to a charger. */
  commandSent(action: string): void;
  /** The charger answered a command `seconds` after it went out: with a CALLRESULT, or with a CALLERROR of `errorCode`. */
  commandAnswered(action: string, seconds: number, errorCode?: string): void;
  /** The charger did not answer a command within the call timeout. */
  commandTimedOut(action: string): void;
}

/** Watches nothing. */
export const UNOBSERVED: OcppObserver = {
  callReceived() {},
  callAnswered() {},
  commandSent() {},
  commandAnswered() {},
  commandTimedOut() {},
};
