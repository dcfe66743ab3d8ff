import { parseBootData } from './bootData.ts';
import type { ChargingProfile } from './chargingLimit.ts';
import type { Connector } from './connector.ts';
import type { Responder } from './dialect.ts';
import { CallError } from './errors.ts';
import { checkOneOf, checkPayload, isObject } from './payloadChecks.ts';
import type { StandardDialect } from './standardDialect.ts';

type Command = (charger: StandardDialect, payload: unknown, respond: Responder) => void;

/** Accepted for TriggerMessage: sends the requested message for the given connectors. */
const triggers: Record<string, (charger: StandardDialect, connectors: readonly Connector[]) => Promise<unknown>> = {
  BootNotification: (charger) => charger.boot(),
  DiagnosticsStatusNotification: (charger) => charger.host.call('DiagnosticsStatusNotification', { status: charger.diagnosticsStatus }),
  FirmwareStatusNotification: (charger) => charger.host.call('FirmwareStatusNotification', { status: charger.firmwareStatus }),
  Heartbeat: (charger) => charger.heartbeat(),
  MeterValues: (charger, connectors) => Promise.all(connectors.map((c) => charger.sendMeterValues(c.id, 'Trigger'))),
  StatusNotification: (charger, connectors) => Promise.all(connectors.map((c) => charger.statusNotification(c.id, c.status))),
};

function inRange(charger: StandardDialect, connectorId: number, lowest: 0 | 1): boolean {
  return connectorId >= lowest && connectorId <= charger.host.connectors.length;
}

/** Connector 0 addresses all connectors. */
function addressed(charger: StandardDialect, connectorId: number): readonly Connector[] {
  return connectorId === 0 ? charger.host.connectors : [charger.host.connector(connectorId)];
}

function notify(charger: StandardDialect, connector: Connector, status: string): void {
  charger.host.background(charger.statusNotification(connector.id, status), 'StatusNotification');
}

/**
 * The answers of a standard charger to the central system's 19 commands (OCPP 1.6 §5) and
 * the Security Whitepaper's 7 (a charger without certificates, logs or signed firmware). Each
 * checks its payload, answers, and only then sends the messages that follow from it, so the
 * result always precedes them.
 */
const commands: Record<string, Command> = {
  RemoteStartTransaction(charger, payload, respond) {
    const { idTag, connectorId } = checkPayload(payload, { idTag: 'string' }, { connectorId: 'integer', chargingProfile: 'object' });
    const candidates = charger.host.connectors.filter((c) => connectorId === undefined || c.id === connectorId);
    const connector = candidates.find((c) => charger.canStart(c, idTag));
    if (!connector) return respond.result({ status: 'Rejected' });
    respond.result({ status: 'Accepted' });
    charger.host.background(charger.startTransaction(connector, idTag, charger.configuration.flag('AuthorizeRemoteTxRequests')), 'remote start');
  },

  RemoteStopTransaction(charger, payload, respond) {
    const { transactionId } = checkPayload(payload, { transactionId: 'integer' });
    const connector = charger.host.connectors.find((c) => c.session?.transactionId === transactionId);
    if (!connector) return respond.result({ status: 'Rejected' });
    respond.result({ status: 'Accepted' });
    charger.host.background(charger.stopSession(connector.id, 'Remote'), 'remote stop');
  },

  ReserveNow(charger, payload, respond) {
    const p = checkPayload(payload, { connectorId: 'integer', expiryDate: 'dateTime', idTag: 'string', reservationId: 'integer' }, { parentIdTag: 'string' });
    if (!inRange(charger, p.connectorId, 0)) return respond.result({ status: 'Rejected' });
    const verdict = (c: Connector): string => {
      if (c.status === 'Faulted' || c.status === 'Unavailable') return c.status;
      return c.session || (c.reservation && c.reservation.id !== p.reservationId) ? 'Occupied' : 'Accepted';
    };
    // A known reservationId replaces that reservation, wherever it is (OCPP 1.6 §5.13).
    const existing = charger.host.connectors.find((c) => c.reservation?.id === p.reservationId);
    const candidates = existing ? [existing] : addressed(charger, p.connectorId);
    const connector = candidates.find((c) => verdict(c) === 'Accepted');
    if (!connector) return respond.result({ status: verdict(candidates[0]!) });
    const wasReserved = connector.status === 'Reserved';
    connector.reserve({ id: p.reservationId, idTag: p.idTag, parentIdTag: p.parentIdTag }, new Date(p.expiryDate), () => notify(charger, connector, 'Available'));
    respond.result({ status: 'Accepted' });
    if (!wasReserved) notify(charger, connector, 'Reserved');
  },

  CancelReservation(charger, payload, respond) {
    const { reservationId } = checkPayload(payload, { reservationId: 'integer' });
    const connector = charger.host.connectors.find((c) => c.reservation?.id === reservationId);
    if (!connector) return respond.result({ status: 'Rejected' });
    connector.clearReservation();
    respond.result({ status: 'Accepted' });
    notify(charger, connector, 'Available');
  },

  /** A connector that is charging changes after its session (Scheduled). */
  ChangeAvailability(charger, payload, respond) {
    const p = checkPayload(payload, { connectorId: 'integer', type: 'string' });
    const wanted = checkOneOf('type', p.type, ['Inoperative', 'Operative']) === 'Operative' ? 'Available' : 'Unavailable';
    if (!inRange(charger, p.connectorId, 0)) return respond.result({ status: 'Rejected' });
    const changed: Connector[] = [];
    let scheduled = false;
    for (const connector of addressed(charger, p.connectorId)) {
      if (connector.session) {
        connector.pendingAvailability = wanted;
        scheduled = true;
      } else if ((wanted === 'Unavailable') !== (connector.status === 'Unavailable')) {
        connector.pendingAvailability = undefined;
        connector.clearReservation();
        changed.push(connector);
      }
    }
    respond.result({ status: scheduled ? 'Scheduled' : 'Accepted' });
    for (const connector of changed) notify(charger, connector, wanted);
  },

  ChangeConfiguration(charger, payload, respond) {
    const { key, value } = checkPayload(payload, { key: 'string', value: 'string' });
    respond.result({ status: charger.changeConfiguration(key, value) });
  },

  GetConfiguration(charger, payload, respond) {
    const { key } = checkPayload(payload, {}, { key: 'array' });
    if (key && !key.every((k) => typeof k === 'string')) throw new CallError('TypeConstraintViolation', 'key must be an array of strings');
    respond.result(charger.configuration.list(key as string[] | undefined));
  },

  ClearCache(_charger, payload, respond) {
    checkPayload(payload, {});
    respond.result({ status: 'Accepted' });
  },

  Reset(charger, payload, respond) {
    const { type } = checkPayload(payload, { type: 'string' });
    checkOneOf('type', type, ['Hard', 'Soft']);
    respond.result({ status: 'Accepted' });
    charger.host.background(charger.reset(type === 'Hard'), 'reset');
  },

  /** Unlocking a connector in use ends its session (OCPP 1.6 §5.18). */
  UnlockConnector(charger, payload, respond) {
    const { connectorId } = checkPayload(payload, { connectorId: 'integer' });
    if (!inRange(charger, connectorId, 1)) return respond.result({ status: 'NotSupported' });
    respond.result({ status: 'Unlocked' });
    if (charger.host.connector(connectorId).session?.transactionId !== undefined) {
      charger.host.background(charger.stopSession(connectorId, 'UnlockCommand'), 'stop on unlock');
    }
  },

  TriggerMessage(charger, payload, respond) {
    const { requestedMessage, connectorId = 0 } = checkPayload(payload, { requestedMessage: 'string' }, { connectorId: 'integer' });
    if (!Object.hasOwn(triggers, requestedMessage)) return respond.result({ status: 'NotImplemented' });
    if (!inRange(charger, connectorId, 0)) return respond.result({ status: 'Rejected' });
    respond.result({ status: 'Accepted' });
    charger.host.background(triggers[requestedMessage]!(charger, addressed(charger, connectorId)), requestedMessage);
  },

  /** Only the FlexiCharge vendor's BootData is understood; its connectorID and price are kept. */
  DataTransfer(charger, payload, respond) {
    const { vendorId, messageId, data } = checkPayload(payload, { vendorId: 'string' }, { messageId: 'string', data: 'string' });
    if (vendorId !== 'com.flexicharge') return respond.result({ status: 'UnknownVendorId' });
    if (messageId !== 'BootData') return respond.result({ status: 'UnknownMessageId' });
    const bootData = parseBootData(data);
    if (!bootData) return respond.result({ status: 'Rejected' });
    charger.bootData = bootData;
    respond.result({ status: 'Accepted' });
  },

  GetDiagnostics(charger, payload, respond) {
    const p = checkPayload(payload, { location: 'string' }, { retries: 'integer', retryInterval: 'integer', startTime: 'dateTime', stopTime: 'dateTime' });
    const fileName = 'diagnostics.log';
    respond.result({ fileName });
    charger.host.background(charger.uploadDiagnostics(p.location, fileName, { startTime: p.startTime, stopTime: p.stopTime }), 'diagnostics upload');
  },

  UpdateFirmware(charger, payload, respond) {
    const p = checkPayload(payload, { location: 'string', retrieveDate: 'dateTime' }, { retries: 'integer', retryInterval: 'integer' });
    respond.result({});
    charger.host.background(charger.installFirmware(p.location, new Date(p.retrieveDate), p.retries, p.retryInterval), 'firmware update');
  },

  GetLocalListVersion(charger, payload, respond) {
    checkPayload(payload, {});
    respond.result({ listVersion: charger.localList.version });
  },

  SendLocalList(charger, payload, respond) {
    const p = checkPayload(payload, { listVersion: 'integer', updateType: 'string' }, { localAuthorizationList: 'array' });
    const updateType = checkOneOf('updateType', p.updateType, ['Differential', 'Full']);
    const entries = p.localAuthorizationList ?? [];
    if (!entries.every((e) => isObject(e) && typeof e.idTag === 'string')) throw new CallError('TypeConstraintViolation', 'every localAuthorizationList entry needs an idTag string');
    const list = charger.localList;
    // A Differential must lead to a newer version than the list holds (OCPP 1.6 §6.44).
    if (updateType === 'Differential' && p.listVersion <= list.version) return respond.result({ status: 'VersionMismatch' });
    if (updateType === 'Full') list.entries.clear();
    // In a differential update, an entry without idTagInfo removes that idTag.
    for (const entry of entries as { idTag: string; idTagInfo?: unknown }[]) {
      if (entry.idTagInfo === undefined) list.entries.delete(entry.idTag);
      else list.entries.set(entry.idTag, entry.idTagInfo);
    }
    list.version = p.listVersion;
    respond.result({ status: 'Accepted' });
  },

  SetChargingProfile(charger, payload, respond) {
    const { connectorId, csChargingProfiles } = checkPayload(payload, { connectorId: 'integer', csChargingProfiles: 'object' });
    const profile = checkPayload(csChargingProfiles, { chargingProfileId: 'integer', stackLevel: 'integer', chargingProfilePurpose: 'string', chargingProfileKind: 'string', chargingSchedule: 'object' }, { transactionId: 'integer' });
    checkOneOf('chargingProfilePurpose', profile.chargingProfilePurpose, ['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile']);
    checkOneOf('chargingProfileKind', profile.chargingProfileKind, ['Absolute', 'Recurring', 'Relative']);
    const schedule = checkPayload(profile.chargingSchedule, { chargingRateUnit: 'string', chargingSchedulePeriod: 'array' });
    checkOneOf('chargingRateUnit', schedule.chargingRateUnit, ['A', 'W']);
    if (!schedule.chargingSchedulePeriod.every((p) => isObject(p) && Number.isInteger(p.startPeriod) && typeof p.limit === 'number')) {
      throw new CallError('TypeConstraintViolation', 'every chargingSchedulePeriod needs an integer startPeriod and a number limit');
    }
    if (!inRange(charger, connectorId, 0)) return respond.result({ status: 'Rejected' });
    // A ChargePointMaxProfile is for the charge point (connector 0); a TxProfile for a running transaction (OCPP 1.6 §5.16).
    if (profile.chargingProfilePurpose === 'ChargePointMaxProfile' && connectorId !== 0) return respond.result({ status: 'Rejected' });
    if (profile.chargingProfilePurpose === 'TxProfile') {
      const running = connectorId === 0 ? undefined : charger.host.connector(connectorId).session?.transactionId;
      if (running === undefined || (profile.transactionId !== undefined && profile.transactionId !== running)) return respond.result({ status: 'Rejected' });
    }
    charger.installProfile(connectorId, csChargingProfiles as unknown as ChargingProfile);
    respond.result({ status: 'Accepted' });
  },

  /** With an id only that profile; otherwise every profile matching all given criteria. */
  ClearChargingProfile(charger, payload, respond) {
    const p = checkPayload(payload, {}, { id: 'integer', connectorId: 'integer', chargingProfilePurpose: 'string', stackLevel: 'integer' });
    const matching = [...charger.chargingProfiles].filter(([id, { connectorId, profile }]) =>
      p.id !== undefined
        ? id === p.id
        : (p.connectorId === undefined || connectorId === p.connectorId) &&
          (p.chargingProfilePurpose === undefined || profile.chargingProfilePurpose === p.chargingProfilePurpose) &&
          (p.stackLevel === undefined || profile.stackLevel === p.stackLevel),
    );
    charger.removeProfiles(matching.map(([id]) => id));
    respond.result({ status: matching.length > 0 ? 'Accepted' : 'Unknown' });
  },

  /** The limits the held profiles set from now on, within the charger's own power. */
  GetCompositeSchedule(charger, payload, respond) {
    const p = checkPayload(payload, { connectorId: 'integer', duration: 'integer' }, { chargingRateUnit: 'string' });
    const unit = checkOneOf('chargingRateUnit', p.chargingRateUnit ?? 'W', ['A', 'W']);
    if (!inRange(charger, p.connectorId, 0) || p.duration < 0) return respond.result({ status: 'Rejected' });
    const { startSchedule, ...chargingSchedule } = charger.compositeSchedule(p.connectorId, p.duration, unit);
    respond.result({ status: 'Accepted', connectorId: p.connectorId, scheduleStart: startSchedule, chargingSchedule });
  },

  /** The simulator keeps no certificates: a signed one is taken as installed and forgotten. */
  CertificateSigned(_charger, payload, respond) {
    checkPayload(payload, { certificateChain: 'string' });
    respond.result({ status: 'Accepted' });
  },

  InstallCertificate(_charger, payload, respond) {
    const p = checkPayload(payload, { certificateType: 'string', certificate: 'string' });
    checkOneOf('certificateType', p.certificateType, ['CentralSystemRootCertificate', 'ManufacturerRootCertificate']);
    respond.result({ status: 'Rejected' });
  },

  GetInstalledCertificateIds(_charger, payload, respond) {
    const p = checkPayload(payload, { certificateType: 'string' });
    checkOneOf('certificateType', p.certificateType, ['CentralSystemRootCertificate', 'ManufacturerRootCertificate']);
    respond.result({ status: 'NotFound' });
  },

  DeleteCertificate(_charger, payload, respond) {
    checkPayload(payload, { certificateHashData: 'object' });
    respond.result({ status: 'NotFound' });
  },

  ExtendedTriggerMessage(_charger, payload, respond) {
    checkPayload(payload, { requestedMessage: 'string' }, { connectorId: 'integer' });
    respond.result({ status: 'NotImplemented' });
  },

  GetLog(_charger, payload, respond) {
    checkPayload(payload, { log: 'object', logType: 'string', requestId: 'integer' }, { retries: 'integer', retryInterval: 'integer' });
    respond.result({ status: 'Rejected' });
  },

  SignedUpdateFirmware(_charger, payload, respond) {
    checkPayload(payload, { requestId: 'integer', firmware: 'object' }, { retries: 'integer', retryInterval: 'integer' });
    respond.result({ status: 'Rejected' });
  },
};

/**
 * Answers one server CALL. A payload that fails the checks is answered with the CALLERROR a
 * validating charger sends; an unknown action with NotImplemented.
 */
export function handleStandardCommand(charger: StandardDialect, action: string, payload: unknown, respond: Responder): void {
  if (!Object.hasOwn(commands, action)) return respond.error('NotImplemented', `${action} is not implemented by this charger`);
  try {
    commands[action]!(charger, payload, respond);
  } catch (error) {
    if (respond.answered) return charger.host.warn(`${action} failed after its answer: ${String(error)}`);
    if (error instanceof CallError) return respond.error(error.code, error.description);
    charger.host.warn(`${action} failed: ${String(error)}`);
    respond.error('InternalError', `the charger could not handle ${action}`);
  }
}
