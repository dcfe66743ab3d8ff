import type { ConnectorId, Wh } from '../../domain/units.ts';
import { toIsoTimestamp } from './timestamps.ts';
import { meterValueOfValues } from './valuesFrame.ts';

/**
 * Rewrites what a charger sent into standard OCPP 1.6 shapes, so handlers see one model.
 * Applies to every connection: the FlexiCharge charger, hand-played chargers and standard
 * ones that drift. Each rewrite is named in `deviations` (logged, and evidence of the
 * FlexiCharge dialect).
 */
export interface Normalized {
  payload: Record<string, unknown>;
  deviations: string[];
}

type Payload = Record<string, unknown>;

const DIGITS = /^\s*\d+\s*$/;

/** Actions whose connectorId defaults to 1 when a FlexiCharge charger leaves it out. */
const CONNECTOR_REQUIRED = new Set(['StatusNotification', 'StartTransaction', 'MeterValues']);

const NO_METER_STARTS: ReadonlyMap<ConnectorId, Wh> = new Map();

/**
 * `meterStarts`: the meterStart of the last StartTransaction per connector on this
 * connection, which a FlexiCharge `values` object counts its energy from (0 when unknown,
 * as the real charger always reports).
 */
export function normalizeRequest(action: string, input: Payload, meterStarts = NO_METER_STARTS): Normalized {
  const payload: Payload = { ...input };
  // A plain array, not a closure: this runs for every frame.
  const deviations: string[] = [];

  if (typeof payload.connectorId === 'string' && DIGITS.test(payload.connectorId)) {
    payload.connectorId = Number(payload.connectorId);
    deviations.push('string connectorId');
  }
  if (payload.connectorId === undefined && CONNECTOR_REQUIRED.has(action)) {
    payload.connectorId = 1;
    deviations.push('missing connectorId');
  }
  if ('id_tag' in payload) {
    if (payload.idTag === undefined) payload.idTag = payload.id_tag;
    delete payload.id_tag;
    deviations.push('id_tag');
  }
  normalizeIdTag(payload, 'idTag', deviations);
  normalizeTimestamp(payload, 'timestamp', deviations);

  switch (action) {
    case 'StatusNotification':
      if (payload.errorCode === '' || payload.errorCode === undefined) {
        payload.errorCode = 'NoError';
        deviations.push('empty errorCode');
      }
      break;
    case 'StartTransaction':
      if (payload.reservationId === null) delete payload.reservationId;
      if (typeof payload.reservationId === 'string') {
        if (DIGITS.test(payload.reservationId)) payload.reservationId = Number(payload.reservationId);
        else delete payload.reservationId;
        deviations.push('string reservationId');
      }
      break;
    case 'StopTransaction':
      if (payload.transactionData === null) {
        delete payload.transactionData;
        deviations.push('null transactionData');
      }
      if (Array.isArray(payload.transactionData)) payload.transactionData = payload.transactionData.map((meterValue) => normalizeMeterValue(meterValue, deviations));
      break;
    case 'MeterValues':
      if (typeof payload.transactionId === 'string' && DIGITS.test(payload.transactionId)) payload.transactionId = Number(payload.transactionId);
      if (payload.values && typeof payload.values === 'object' && payload.meterValue === undefined) {
        payload.meterValue = [meterValueOfValues(payload.values as Payload, payload.timestamp, meterStarts.get(payload.connectorId as ConnectorId) ?? 0)];
        delete payload.values;
        delete payload.timestamp;
        deviations.push('FlexiCharge values object');
      }
      if (Array.isArray(payload.meterValue)) payload.meterValue = payload.meterValue.map((meterValue) => normalizeMeterValue(meterValue, deviations));
      break;
    case 'DataTransfer':
      if (payload.data !== undefined && typeof payload.data !== 'string') {
        payload.data = JSON.stringify(payload.data);
        deviations.push('non-string data');
      }
      break;
  }
  return { payload, deviations };
}

function normalizeIdTag(payload: Payload, key: string, deviations: string[]): void {
  const value = payload[key];
  if (value === null) {
    delete payload[key];
    deviations.push(`null ${key}`);
  } else if (typeof value === 'number') {
    payload[key] = String(value);
    deviations.push(`numeric ${key}`);
  }
}

function normalizeTimestamp(payload: Payload, key: string, deviations: string[]): void {
  const value = payload[key];
  if (typeof value !== 'number') return;
  const iso = toIsoTimestamp(value);
  if (iso) payload[key] = iso;
  else delete payload[key];
  deviations.push('numeric timestamp');
}

function normalizeMeterValue(meterValue: unknown, deviations: string[]): unknown {
  if (!meterValue || typeof meterValue !== 'object') return meterValue;
  const copy = { ...(meterValue as Payload) };
  normalizeTimestamp(copy, 'timestamp', deviations);
  if (Array.isArray(copy.sampledValue)) {
    copy.sampledValue = copy.sampledValue.map((sample) => {
      if (!sample || typeof sample !== 'object') return sample;
      const value = (sample as Payload).value;
      if (typeof value === 'number') {
        deviations.push('numeric sampled value');
        return { ...(sample as Payload), value: String(value) };
      }
      return sample;
    });
  }
  return copy;
}
