import type { Ocpp16Messages } from './ocpp16.types.ts';

/** The actions a charger sends in OCPP 1.6 (with the Security Whitepaper's); the central system answers each. */
export type ChargerAction =
  | 'Authorize'
  | 'BootNotification'
  | 'DataTransfer'
  | 'DiagnosticsStatusNotification'
  | 'FirmwareStatusNotification'
  | 'Heartbeat'
  | 'LogStatusNotification'
  | 'MeterValues'
  | 'SecurityEventNotification'
  | 'SignCertificate'
  | 'SignedFirmwareStatusNotification'
  | 'StartTransaction'
  | 'StatusNotification'
  | 'StopTransaction';

/** Transaction messages are never refused for their content (ocpp-j-rules §1.10): one outside its schema is processed anyway. */
export const TRANSACTION_ACTIONS = ['StartTransaction', 'StopTransaction', 'MeterValues'] as const satisfies readonly ChargerAction[];
export type TransactionAction = (typeof TRANSACTION_ACTIONS)[number];

/**
 * The fields a schema names, with values nothing has vouched for: they are read one by one,
 * leniently (handlers/fields.ts).
 */
export type Unchecked<T> = { readonly [K in keyof T]?: unknown };

/**
 * A charger's request as its handler receives it, normalised from the charger's dialect:
 * valid against its schema, except a transaction message, which is handled whatever it
 * holds and so is only `Unchecked`.
 */
export type ChargerRequest<A extends ChargerAction> = A extends TransactionAction
  ? Unchecked<Ocpp16Messages[A]['request']>
  : Ocpp16Messages[A]['request'];

/** What the central system answers to a charger's request: exactly its schema's response. */
export type ChargerResponse<A extends ChargerAction> = Ocpp16Messages[A]['response'];
