import type { Logger } from 'pino';
import type { ChargerId, ConnectorId, Dialect, Ore, Wh } from '../../domain/units.ts';
import { readWh } from '../handlers/fields.ts';
import { OcppError } from '../protocol/errors.ts';
import type { DataTransferRequest, DataTransferResponse } from '../protocol/ocpp16.types.ts';
import { bootDataRequest, refusesBootData } from './bootData.ts';
import { shapeCommand, startTagOf, supportsReservations } from './commands.ts';
import { dialectOfAnswer, dialectOfDeviations, dialectOnConnect, wantsBootData } from './detection.ts';
import { normalizeRequest } from './normalize.ts';
import { answerVendorMessage } from './vendorMessages.ts';

type Payload = Record<string, unknown>;

/** The connection as the BootData exchange uses it. */
export interface DialectPeer {
  readonly chargerId: ChargerId;
  readonly log: Logger;
  call(action: string, payload: Payload): Promise<Payload>;
}

/**
 * One connection's dialect: which one its charger speaks (assumed at connect, corrected by
 * what the charger does), and what the FlexiCharge dialect needs remembered of the
 * conversation. The connection and the handlers reach the dialect only through here;
 * the rules themselves are in the modules beside this one.
 */
export class ConnectionDialect {
  #kind: Dialect;
  /**
   * The idTag of the last RemoteStartTransaction per connector: the StartTransaction that
   * follows is for it, even when the charger leaves the tag out (the FlexiCharge charger).
   */
  readonly #remoteStartTags = new Map<ConnectorId, string>();
  /** The idTag of a reservation the charger accepted on this connection. */
  #reservedIdTag: string | undefined;
  /** The meterStart of the last StartTransaction per connector, which a FlexiCharge `values` object counts from. */
  readonly #meterStarts = new Map<ConnectorId, Wh>();

  /** `changed` hears of every correction, after it is made. */
  constructor(stored: Dialect, offeredProtocols: readonly string[], private readonly changed: (to: Dialect, from: Dialect) => void) {
    this.#kind = dialectOnConnect(offeredProtocols, stored);
  }

  get kind(): Dialect {
    return this.#kind;
  }

  /** Whether ReserveNow can be sent (else reservations are kept on the server only). */
  get supportsReservations(): boolean {
    return supportsReservations(this.#kind);
  }

  /** A charger's CALL in standard 1.6 shape; one that needed the FlexiCharge rewrites shows that dialect. */
  readRequest(action: string, payload: Payload): Payload {
    const normalized = normalizeRequest(action, payload, this.#meterStarts);
    const shown = dialectOfDeviations(normalized.deviations);
    if (shown) this.#become(shown);
    if (action === 'StartTransaction') this.#rememberMeterStart(normalized.payload);
    return normalized.payload;
  }

  /** A CALLRESULT from the charger; only the FlexiCharge charger names the action in it. */
  readAnswer(namedAction: boolean): void {
    this.#become(dialectOfAnswer(namedAction));
  }

  /** A command (already valid against its schema) as this charger reads it. */
  shapeCommand(action: string, request: Payload): Payload {
    if (action === 'RemoteStartTransaction') this.#remoteStartTags.set((request.connectorId as ConnectorId | undefined) ?? 1, request.idTag as string);
    return shapeCommand(this.#kind, action, request, this.#reservedIdTag);
  }

  /** The charger's answer to a command. */
  commandAnswered(action: string, request: Payload, answer: Payload): void {
    if (action === 'ReserveNow' && answer.status === 'Accepted') this.#reservedIdTag = String(request.idTag);
  }

  /**
   * The idTag a StartTransaction on `connectorId` is for, and the tag of the
   * RemoteStartTransaction it answers (if any, now used up).
   */
  startTag(connectorId: ConnectorId | null, reported: string | null): { idTag: string | null; remoteStartTag: string | undefined } {
    const remoteStartTag = connectorId === null ? undefined : this.#remoteStartTags.get(connectorId);
    if (connectorId !== null) this.#remoteStartTags.delete(connectorId);
    return { idTag: startTagOf(this.#kind, reported ?? undefined, remoteStartTag) ?? null, remoteStartTag };
  }

  /** The answer to the charger's DataTransfer: the FlexiCharge vendor's messages are known, no other. */
  answerDataTransfer(request: DataTransferRequest, log: Logger): DataTransferResponse {
    return answerVendorMessage(request, log);
  }

  /**
   * The charger's boot was accepted. The FlexiCharge charger then waits for BootData; a
   * charger that does not know the vendor (or refuses the call) speaks standard OCPP.
   */
  async registered(peer: DialectPeer, pricePerKwh: () => Promise<Ore>): Promise<void> {
    if (!wantsBootData(this.#kind)) return;
    try {
      const answer = await peer.call('DataTransfer', bootDataRequest(peer.chargerId, await pricePerKwh()));
      if (refusesBootData(answer.status)) this.#become('ocpp1.6');
    } catch (error) {
      if (error instanceof OcppError) this.#become('ocpp1.6');
      else peer.log.info({ err: error }, 'BootData not answered');
    }
  }

  #become(kind: Dialect): void {
    if (kind === this.#kind) return;
    const from = this.#kind;
    this.#kind = kind;
    this.changed(kind, from);
  }

  /**
   * A new session on the connector counts from its own meterStart, read as the session's
   * is (so register − meterStart is the charger's chargedSoFar again); a meterStart that is
   * no meter reading leaves it counting from 0, as if unknown.
   */
  #rememberMeterStart(start: Payload): void {
    const { connectorId } = start;
    if (!Number.isInteger(connectorId)) return;
    const meterStartWh = readWh(start.meterStart, 'invalidMeterStart', []);
    if (meterStartWh === null) this.#meterStarts.delete(connectorId as ConnectorId);
    else this.#meterStarts.set(connectorId as ConnectorId, meterStartWh);
  }
}
