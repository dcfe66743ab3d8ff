import type { CallDispatcher } from '../connection.ts';
import { OcppError } from '../protocol/errors.ts';
import { Authorize } from './Authorize.ts';
import { BootNotification } from './BootNotification.ts';
import type { ChargerAction, ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Handler, HandlerDeps } from './context.ts';
import { DataTransfer } from './DataTransfer.ts';
import { DiagnosticsStatusNotification, FirmwareStatusNotification } from './firmware.ts';
import { Heartbeat } from './Heartbeat.ts';
import { MeterValues } from './MeterValues.ts';
import { LogStatusNotification, SecurityEventNotification, SignCertificate, SignedFirmwareStatusNotification } from './security.ts';
import { StartTransaction } from './StartTransaction.ts';
import { StatusNotification } from './StatusNotification.ts';
import { StopTransaction } from './StopTransaction.ts';

/** Every action a charger may send in OCPP 1.6, with the Security Whitepaper's. */
const HANDLERS: { [A in ChargerAction]: Handler<A> } = {
  Authorize,
  BootNotification,
  DataTransfer,
  DiagnosticsStatusNotification,
  FirmwareStatusNotification,
  Heartbeat,
  LogStatusNotification,
  MeterValues,
  SecurityEventNotification,
  SignCertificate,
  SignedFirmwareStatusNotification,
  StartTransaction,
  StatusNotification,
  StopTransaction,
};

export function createDispatcher(deps: HandlerDeps): CallDispatcher {
  return (connection, action, payload, id) => {
    const handler = HANDLERS[action as ChargerAction] as Handler<ChargerAction> | undefined;
    if (!handler) return Promise.reject(new OcppError('NotImplemented', `${action} is not handled by this central system`));
    // The connection has normalised the payload and checked it against the action's schema (CallDispatcher).
    return handler(deps, connection, payload as ChargerRequest<ChargerAction>, id);
  };
}
