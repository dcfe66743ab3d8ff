import { describe, expect, it } from 'vitest';
import { chargerStatusOf } from '../../src/domain/chargerStatus.ts';
import { CHARGER_STATUSES } from '../../src/domain/units.ts';
import { normalizeRequest } from '../../src/ocpp/dialect/normalize.ts';
import { checkRequest } from '../../src/ocpp/protocol/schemas.ts';

/** OCPP 1.6 ChargePointStatus (ocpp-j-rules §1.12). */
const OCPP_STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'];
/** OCPP 1.6 ChargePointErrorCode. */
const OCPP_ERROR_CODES = [
  'ConnectorLockFailure', 'EVCommunicationError', 'GroundFailure', 'HighTemperature', 'InternalError', 'LocalListConflict', 'NoError', 'OtherError',
  'OverCurrentFailure', 'OverVoltage', 'PowerMeterFailure', 'PowerSwitchFailure', 'ReaderFailure', 'ResetFailure', 'UnderVoltage', 'WeakSignal',
];

/** A StatusNotification as the central system checks it: normalised, then validated. */
function check(payload: Record<string, unknown>) {
  const normalized = normalizeRequest('StatusNotification', payload).payload;
  return { payload: normalized, problem: checkRequest('StatusNotification', normalized)?.code };
}

const connectors = (...list: [number, string][]) => list.map(([connector_id, status]) => ({ connector_id, status }));

describe('the statuses the apps see', () => {
  it('are exactly the OCPP 1.6 ChargePointStatus values', () => {
    expect([...CHARGER_STATUSES].sort()).toEqual([...OCPP_STATUSES].sort());
  });

  it('are all accepted in a StatusNotification', () => {
    for (const status of CHARGER_STATUSES) expect(check({ connectorId: 1, errorCode: 'NoError', status }).problem).toBeUndefined();
  });
});

describe('StatusNotification values', () => {
  it('accepts every 1.6 error code', () => {
    for (const errorCode of OCPP_ERROR_CODES) expect(check({ connectorId: 1, errorCode, status: 'Faulted' }).problem).toBeUndefined();
  });

  it('refuses statuses that are not 1.6 ChargePointStatus: wrong case, 1.5\'s Occupied, the charger\'s internal NotAvailable', () => {
    for (const status of ['available', 'AVAILABLE', 'Occupied', 'NotAvailable', 'Charging ', 'Sleeping', '']) {
      expect(check({ connectorId: 1, errorCode: 'NoError', status }).problem).toBe('PropertyConstraintViolation');
    }
  });

  it('refuses an unknown error code', () => {
    expect(check({ connectorId: 1, errorCode: 'Overheated', status: 'Faulted' }).problem).toBe('PropertyConstraintViolation');
    expect(check({ connectorId: 1, errorCode: 'noerror', status: 'Available' }).problem).toBe('PropertyConstraintViolation');
  });

  it('refuses a missing status, and a status of the wrong type', () => {
    expect(check({ connectorId: 1, errorCode: 'NoError' }).problem).toBe('OccurenceConstraintViolation');
    expect(check({ connectorId: 1, errorCode: 'NoError', status: 1 }).problem).toBe('TypeConstraintViolation');
  });

  it('accepts connector 0, the charge point as a whole', () => {
    expect(check({ connectorId: 0, errorCode: 'InternalError', status: 'Faulted' }).problem).toBeUndefined();
  });

  it('keeps info and vendorErrorCode within 50 characters, vendorId within 255', () => {
    const base = { connectorId: 1, errorCode: 'OtherError', status: 'Faulted' };
    expect(check({ ...base, info: 'x'.repeat(50), vendorErrorCode: 'E'.repeat(50), vendorId: 'v'.repeat(255) }).problem).toBeUndefined();
    expect(check({ ...base, info: 'x'.repeat(51) }).problem).toBe('PropertyConstraintViolation');
    expect(check({ ...base, vendorErrorCode: 'E'.repeat(51) }).problem).toBe('PropertyConstraintViolation');
    expect(check({ ...base, vendorId: 'v'.repeat(256) }).problem).toBe('PropertyConstraintViolation');
  });

  it('refuses fields 1.6 does not have', () => {
    expect(check({ connectorId: 1, errorCode: 'NoError', status: 'Available', evseId: 1 }).problem).toBe('FormationViolation');
  });

  it('accepts the FlexiCharge charger\'s three statuses as it sends them (string connector, empty error code, no time)', () => {
    for (const status of ['Reserved', 'Charging', 'Available']) {
      expect(check({ connectorId: '1', errorCode: '', status })).toEqual({ payload: { connectorId: 1, errorCode: 'NoError', status }, problem: undefined });
    }
  });

  it('leaves the status itself as the charger sent it', () => {
    expect(check({ connectorId: 1, errorCode: 'NoError', status: 'SuspendedEV' }).payload.status).toBe('SuspendedEV');
  });
});

describe('a charger\'s status from its connectors', () => {
  it('is nothing when no connector has reported', () => {
    expect(chargerStatusOf([])).toBeUndefined();
  });

  it('is the status of a single connector', () => {
    for (const status of CHARGER_STATUSES) expect(chargerStatusOf(connectors([1, status]))).toBe(status);
  });

  it('is Available when any connector is, so the apps can start a charge', () => {
    expect(chargerStatusOf(connectors([1, 'Charging'], [2, 'Available']))).toBe('Available');
    expect(chargerStatusOf(connectors([1, 'Faulted'], [2, 'Reserved'], [3, 'Available']))).toBe('Available');
  });

  it('is the lowest-numbered connector\'s status when none is Available, whatever the order reported', () => {
    expect(chargerStatusOf(connectors([2, 'Charging'], [1, 'Preparing']))).toBe('Preparing');
    expect(chargerStatusOf(connectors([3, 'Faulted'], [2, 'SuspendedEV']))).toBe('SuspendedEV');
  });

  it('is Unavailable or Faulted when connector 0 (the whole charger) is, even with a connector Available', () => {
    expect(chargerStatusOf(connectors([1, 'Available'], [0, 'Unavailable']))).toBe('Unavailable');
    expect(chargerStatusOf(connectors([0, 'Faulted'], [1, 'Available'], [2, 'Charging']))).toBe('Faulted');
  });

  it('follows the connectors when connector 0 reports any other status', () => {
    expect(chargerStatusOf(connectors([0, 'Available'], [1, 'Charging']))).toBe('Charging');
    expect(chargerStatusOf(connectors([0, 'Reserved'], [1, 'Available']))).toBe('Available');
  });

  it('is connector 0\'s status when only connector 0 has reported', () => {
    expect(chargerStatusOf(connectors([0, 'Available']))).toBe('Available');
    expect(chargerStatusOf(connectors([0, 'Faulted']))).toBe('Faulted');
  });

  it('ignores stored statuses that are not 1.6 statuses', () => {
    expect(chargerStatusOf(connectors([1, 'Occupied'], [2, 'Charging']))).toBe('Charging');
    expect(chargerStatusOf(connectors([1, 'Occupied']))).toBeUndefined();
    expect(chargerStatusOf(connectors([0, 'broken'], [1, 'Available']))).toBe('Available');
  });

  it('moves with each report on a two-connector charger', () => {
    // Each step: what connectors 0–2 last reported, and what the apps must see.
    const steps: [[number, string][], string | undefined][] = [
      [[[1, 'Available'], [2, 'Available']], 'Available'],
      [[[1, 'Charging'], [2, 'Available']], 'Available'],
      [[[1, 'Charging'], [2, 'Preparing']], 'Charging'],
      [[[1, 'Finishing'], [2, 'Charging']], 'Finishing'],
      [[[0, 'Unavailable'], [1, 'Finishing'], [2, 'Charging']], 'Unavailable'],
      [[[0, 'Available'], [1, 'Available'], [2, 'Charging']], 'Available'],
    ];
    for (const [reported, expected] of steps) expect(chargerStatusOf(connectors(...reported))).toBe(expected);
  });
});
