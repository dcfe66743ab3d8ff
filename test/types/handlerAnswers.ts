/**
 * Type tests, checked by `npm run typecheck` (not run by vitest): a handler answers exactly
 * its schema's response, and receives its schema's request. Each `@ts-expect-error` fails
 * the type check when the error it expects is no longer there.
 */
import type { Answer } from '../../src/ocpp/handlers/context.ts';
import { Authorize } from '../../src/ocpp/handlers/Authorize.ts';
import { BootNotification } from '../../src/ocpp/handlers/BootNotification.ts';
import { DataTransfer } from '../../src/ocpp/handlers/DataTransfer.ts';
import { DiagnosticsStatusNotification, FirmwareStatusNotification } from '../../src/ocpp/handlers/firmware.ts';
import { Heartbeat } from '../../src/ocpp/handlers/Heartbeat.ts';
import { MeterValues } from '../../src/ocpp/handlers/MeterValues.ts';
import { LogStatusNotification, SecurityEventNotification, SignCertificate, SignedFirmwareStatusNotification } from '../../src/ocpp/handlers/security.ts';
import { StartTransaction } from '../../src/ocpp/handlers/StartTransaction.ts';
import { StatusNotification } from '../../src/ocpp/handlers/StatusNotification.ts';
import { StopTransaction } from '../../src/ocpp/handlers/StopTransaction.ts';
import type { ChargerAction, ChargerRequest } from '../../src/ocpp/protocol/chargerMessages.ts';

export async function bootAnswerWithAFieldOfItsOwn(): Promise<Answer<'BootNotification'>> {
  // @ts-expect-error BootNotification.conf has no heartbeatInterval
  return { response: { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300, heartbeatInterval: 300 } };
}

export async function meterValuesAnswerWithAField(): Promise<Answer<'MeterValues'>> {
  // @ts-expect-error MeterValues.conf is an empty object
  return { response: { status: 'Accepted' } };
}

export async function startAnswerWithoutTransactionId(): Promise<Answer<'StartTransaction'>> {
  // @ts-expect-error StartTransaction.conf requires a transactionId
  return { response: { idTagInfo: { status: 'Accepted' } } };
}

export async function authorizeAnswerWithAnUnknownStatus(): Promise<Answer<'Authorize'>> {
  // @ts-expect-error IdTagInfo.status has no value Maybe
  return { response: { idTagInfo: { status: 'Maybe' } } };
}

export function requestFields(boot: ChargerRequest<'BootNotification'>, start: ChargerRequest<'StartTransaction'>): void {
  // A validated request's fields have their schema's types.
  const vendor: string = boot.chargePointVendor;
  // @ts-expect-error BootNotification.req has no serialNumber
  void boot.serialNumber;
  // A transaction message is handled whatever it holds: its fields are named, their values unchecked.
  // @ts-expect-error meterStart is unknown until read (handlers/fields.ts)
  const meterStart: number = start.meterStart;
  // @ts-expect-error StartTransaction.req has no meterStop
  void start.meterStop;
  void vendor;
  void meterStart;
}

/**
 * Every handler's own type answers exactly its action's Answer, so a handler that answers
 * more (a field its schema does not have) fails here even where its return type is inferred.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AnswersExactly<A extends ChargerAction, F> = F extends (...args: never[]) => infer R ? Same<R, Promise<Answer<A>>> : false;
export const handlersAnswerExactly: { [A in ChargerAction]: true } = {
  Authorize: true satisfies AnswersExactly<'Authorize', typeof Authorize>,
  BootNotification: true satisfies AnswersExactly<'BootNotification', typeof BootNotification>,
  DataTransfer: true satisfies AnswersExactly<'DataTransfer', typeof DataTransfer>,
  DiagnosticsStatusNotification: true satisfies AnswersExactly<'DiagnosticsStatusNotification', typeof DiagnosticsStatusNotification>,
  FirmwareStatusNotification: true satisfies AnswersExactly<'FirmwareStatusNotification', typeof FirmwareStatusNotification>,
  Heartbeat: true satisfies AnswersExactly<'Heartbeat', typeof Heartbeat>,
  LogStatusNotification: true satisfies AnswersExactly<'LogStatusNotification', typeof LogStatusNotification>,
  MeterValues: true satisfies AnswersExactly<'MeterValues', typeof MeterValues>,
  SecurityEventNotification: true satisfies AnswersExactly<'SecurityEventNotification', typeof SecurityEventNotification>,
  SignCertificate: true satisfies AnswersExactly<'SignCertificate', typeof SignCertificate>,
  SignedFirmwareStatusNotification: true satisfies AnswersExactly<'SignedFirmwareStatusNotification', typeof SignedFirmwareStatusNotification>,
  StartTransaction: true satisfies AnswersExactly<'StartTransaction', typeof StartTransaction>,
  StatusNotification: true satisfies AnswersExactly<'StatusNotification', typeof StatusNotification>,
  StopTransaction: true satisfies AnswersExactly<'StopTransaction', typeof StopTransaction>,
};

async function heartbeatWithAFieldOfItsOwn() {
  return { response: { currentTime: '2026-01-01T00:00:00Z', serverName: 'FlexiCharge' } };
}
// @ts-expect-error Heartbeat.conf has no serverName
export const caught = true satisfies AnswersExactly<'Heartbeat', typeof heartbeatWithAFieldOfItsOwn>;
