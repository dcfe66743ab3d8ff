import { describe, expect, it } from 'vitest';
import { bootDataRequest, FLEXICHARGE_VENDOR, refusesBootData } from '../../src/ocpp/dialect/bootData.ts';
import { shapeCommand, startTagOf, supportsReservations } from '../../src/ocpp/dialect/commands.ts';
import { dialectOfAnswer, dialectOfDeviations, dialectOnConnect, wantsBootData } from '../../src/ocpp/dialect/detection.ts';
import { normalizeRequest } from '../../src/ocpp/dialect/normalize.ts';
import { checkRequest } from '../../src/ocpp/protocol/schemas.ts';
import { identityFromPath } from '../../src/ocpp/admission.ts';

/** The frames of clients.md A.3, exactly as the FlexiCharge charger sends them. */
const CHARGER = {
  boot: {
    chargePointVendor: 'AVT-Company', chargePointModel: 'AVT-Express', chargePointSerialNumber: 'avt.001.13.1', chargeBoxSerialNumber: 'avt.001.13.1.01',
    firmwareVersion: '0.9.87', iccid: '', imsi: '', meterType: 'AVT NQC-ACDC', meterSerialNumber: 'avt.001.13.1.01',
  },
  status: { connectorId: '1', errorCode: '', status: 'Reserved' },
  start: { connectorId: '1', id_tag: null, meterStart: 0, timestamp: 1795236128.224635, reservationId: null },
  stop: { idTag: null, meterStop: 0, timestamp: 1795236230.5, transactionId: 1, reason: 'Remote', transactionData: null },
  meterValues: {
    connectorId: 1, transactionId: 1, timestamp: 1795236129510,
    values: {
      chargingPercent: { value: 42, unit: '%', measurand: 'SoC' },
      chargingPower: { value: 7400, unit: 'W', measurand: 'Power.Active,Import' },
      chargedSoFar: { value: 5300, unit: 'Wh', measurand: 'Energy.Active.Import' },
    },
  },
};

describe('normalising the FlexiCharge charger\'s messages (clients.md A.3)', () => {
  it('leaves its BootNotification alone: it is standard already', () => {
    const { payload, deviations } = normalizeRequest('BootNotification', CHARGER.boot);
    expect(payload).toEqual(CHARGER.boot);
    expect(deviations).toEqual([]);
    expect(checkRequest('BootNotification', payload)).toBeUndefined();
  });

  it('makes its StatusNotification valid OCPP 1.6: integer connectorId, NoError for the empty errorCode', () => {
    const { payload, deviations } = normalizeRequest('StatusNotification', CHARGER.status);
    expect(payload).toEqual({ connectorId: 1, errorCode: 'NoError', status: 'Reserved' });
    expect(deviations).toEqual(expect.arrayContaining(['string connectorId', 'empty errorCode']));
    expect(checkRequest('StatusNotification', payload)).toBeUndefined();
  });

  it('reads its StartTransaction: string connectorId, id_tag null (no tag), float-second timestamp, null reservationId', () => {
    const { payload, deviations } = normalizeRequest('StartTransaction', CHARGER.start);
    expect(payload).toEqual({ connectorId: 1, meterStart: 0, timestamp: '2026-11-21T04:42:08.225Z' });
    expect(deviations).toEqual(expect.arrayContaining(['string connectorId', 'id_tag', 'null idTag', 'numeric timestamp']));
  });

  it('reads its StopTransaction: no connectorId added (1.6 has none there), nulls dropped, time converted', () => {
    const { payload } = normalizeRequest('StopTransaction', CHARGER.stop);
    expect(payload).toEqual({ meterStop: 0, timestamp: '2026-11-21T04:43:50.500Z', transactionId: 1, reason: 'Remote' });
    expect(checkRequest('StopTransaction', payload)).toBeUndefined();
  });

  it('turns its MeterValues `values` object into a standard meterValue', () => {
    const { payload, deviations } = normalizeRequest('MeterValues', CHARGER.meterValues);
    expect(payload).toEqual({
      connectorId: 1,
      transactionId: 1,
      meterValue: [{
        timestamp: '2026-11-21T04:42:09.510Z',
        sampledValue: [
          { measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: '5300', context: 'Sample.Periodic' },
          { measurand: 'Power.Active.Import', unit: 'W', value: '7400', context: 'Sample.Periodic' },
          { measurand: 'SoC', unit: 'Percent', value: '42', context: 'Sample.Periodic' },
        ],
      }],
    });
    expect(deviations).toContain('FlexiCharge values object');
    expect(checkRequest('MeterValues', payload)).toBeUndefined();
  });

  it('leaves out readings the values object does not carry, or carries blank', () => {
    const { payload } = normalizeRequest('MeterValues', {
      connectorId: 1, transactionId: 1, timestamp: 1795236129510,
      values: { chargedSoFar: { value: '  ', unit: 'Wh' }, chargingPercent: { value: '17', unit: '%' } },
    });
    expect((payload.meterValue as { sampledValue: unknown[] }[])[0]!.sampledValue).toEqual([
      { measurand: 'SoC', unit: 'Percent', value: '17', context: 'Sample.Periodic' },
    ]);
  });

  it('keeps a values object without a timestamp at the time it arrived', () => {
    const before = Date.now();
    const { payload } = normalizeRequest('MeterValues', { connectorId: 1, values: { chargedSoFar: { value: 10 } } });
    const at = Date.parse((payload.meterValue as { timestamp: string }[])[0]!.timestamp);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('does not change the message it was given', () => {
    const input = structuredClone(CHARGER.meterValues);
    normalizeRequest('MeterValues', input);
    expect(input).toEqual(CHARGER.meterValues);
    const start = structuredClone(CHARGER.start);
    normalizeRequest('StartTransaction', start);
    expect(start).toEqual(CHARGER.start);
  });
});

describe('normalising hand-played chargers (the cheat sheet, clients.md A.9)', () => {
  it('gives a StatusNotification without connectorId connector 1', () => {
    const { payload, deviations } = normalizeRequest('StatusNotification', { errorCode: 'NoError', status: 'Available' });
    expect(payload).toEqual({ connectorId: 1, errorCode: 'NoError', status: 'Available' });
    expect(deviations).toEqual(['missing connectorId']);
  });

  it('reads an integer idTag as text and a microsecond timestamp by its magnitude', () => {
    const { payload } = normalizeRequest('StartTransaction', { connectorId: 1, idTag: 1, meterStart: 1, reservationId: 1, timestamp: 1234512345124123 });
    expect(payload).toEqual({ connectorId: 1, idTag: '1', meterStart: 1, reservationId: 1, timestamp: '2009-02-13T08:05:45.124Z' });
    expect(checkRequest('StartTransaction', payload)).toBeUndefined();
  });
});

describe('normalisation rules one by one', () => {
  it('reads a digits-only connectorId as a number, whitespace around it allowed', () => {
    expect(normalizeRequest('StatusNotification', { connectorId: ' 2 ', errorCode: 'NoError', status: 'Available' }).payload.connectorId).toBe(2);
    expect(normalizeRequest('StatusNotification', { connectorId: '0', errorCode: 'NoError', status: 'Faulted' }).payload.connectorId).toBe(0);
  });

  it('leaves a connectorId that is no whole number as it is, for the schema to refuse', () => {
    for (const connectorId of ['1a', '-1', '1.5', '', 'one']) {
      const { payload } = normalizeRequest('StatusNotification', { connectorId, errorCode: 'NoError', status: 'Available' });
      expect(payload.connectorId).toBe(connectorId);
      expect(checkRequest('StatusNotification', payload)?.code).toBe('TypeConstraintViolation');
    }
  });

  it('adds connector 1 only where 1.6 requires a connectorId', () => {
    for (const action of ['StatusNotification', 'StartTransaction', 'MeterValues']) expect(normalizeRequest(action, {}).payload.connectorId).toBe(1);
    for (const action of ['StopTransaction', 'Authorize', 'BootNotification', 'Heartbeat', 'DataTransfer']) {
      expect(normalizeRequest(action, {}).payload).not.toHaveProperty('connectorId');
    }
  });

  it('prefers idTag over id_tag when a charger sends both, and never passes id_tag on', () => {
    const { payload } = normalizeRequest('StartTransaction', { connectorId: 1, idTag: 'CARD', id_tag: 'OTHER', meterStart: 0, timestamp: '2026-01-01T00:00:00Z' });
    expect(payload.idTag).toBe('CARD');
    expect(payload).not.toHaveProperty('id_tag');
  });

  it('takes id_tag as the idTag when it is the only one', () => {
    expect(normalizeRequest('Authorize', { id_tag: 'ABC123' }).payload).toEqual({ idTag: 'ABC123' });
    expect(normalizeRequest('Authorize', { id_tag: 7 }).payload).toEqual({ idTag: '7' });
  });

  it('keeps idTag text exactly: no case folding or trimming (CiString is compared case-insensitively, not rewritten)', () => {
    expect(normalizeRequest('Authorize', { idTag: ' abc ' }).payload.idTag).toBe(' abc ');
    expect(normalizeRequest('Authorize', { idTag: 'AbC' }).payload.idTag).toBe('AbC');
  });

  it('drops a null idTag instead of passing null on', () => {
    const { payload, deviations } = normalizeRequest('StopTransaction', { idTag: null, meterStop: 5, timestamp: '2026-01-01T00:00:00Z', transactionId: 3 });
    expect(payload).not.toHaveProperty('idTag');
    expect(deviations).toEqual(['null idTag']);
  });

  it('defaults only an empty or missing errorCode to NoError, and leaves real error codes alone', () => {
    expect(normalizeRequest('StatusNotification', { connectorId: 1, status: 'Available' }).payload.errorCode).toBe('NoError');
    expect(normalizeRequest('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted' }).payload.errorCode).toBe('GroundFailure');
    expect(normalizeRequest('StatusNotification', { connectorId: 1, errorCode: 'noerror', status: 'Available' }).payload.errorCode).toBe('noerror');
  });

  it('reads a digits-only reservationId as a number and drops one that cannot name a reservation', () => {
    const start = { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: '2026-01-01T00:00:00Z' };
    expect(normalizeRequest('StartTransaction', { ...start, reservationId: ' 12 ' }).payload.reservationId).toBe(12);
    expect(normalizeRequest('StartTransaction', { ...start, reservationId: 'res-1' }).payload).not.toHaveProperty('reservationId');
    expect(normalizeRequest('StartTransaction', { ...start, reservationId: 5 }).payload.reservationId).toBe(5);
  });

  it('reads a digits-only MeterValues transactionId as a number', () => {
    expect(normalizeRequest('MeterValues', { connectorId: 1, transactionId: '17', meterValue: [] }).payload.transactionId).toBe(17);
    expect(normalizeRequest('MeterValues', { connectorId: 1, transactionId: 'x', meterValue: [] }).payload.transactionId).toBe('x');
  });

  it('turns numeric sampled values into the decimal text 1.6 prescribes, also in StopTransaction transactionData', () => {
    const meterValue = [{ timestamp: 1664957184974, sampledValue: [{ value: 1500.5, unit: 'Wh' }, { value: '12' }] }];
    const expected = [{ timestamp: '2022-10-05T08:06:24.974Z', sampledValue: [{ value: '1500.5', unit: 'Wh' }, { value: '12' }] }];
    expect(normalizeRequest('MeterValues', { connectorId: 1, meterValue }).payload.meterValue).toEqual(expected);
    expect(normalizeRequest('StopTransaction', { meterStop: 1, timestamp: '2026-01-01T00:00:00Z', transactionId: 1, transactionData: meterValue }).payload.transactionData).toEqual(expected);
  });

  it('passes junk inside meterValue lists through for the readers to skip', () => {
    expect(normalizeRequest('MeterValues', { connectorId: 1, meterValue: [null, 'x', { sampledValue: [null, 3] }] }).payload.meterValue)
      .toEqual([null, 'x', { sampledValue: [null, 3] }]);
  });

  it('sends DataTransfer data on as text (1.6 data is a string)', () => {
    const { payload, deviations } = normalizeRequest('DataTransfer', { vendorId: FLEXICHARGE_VENDOR, messageId: 'ChargeLevelUpdate', data: { transactionID: 1, latestMeterValue: 5 } });
    expect(payload.data).toBe('{"transactionID":1,"latestMeterValue":5}');
    expect(deviations).toEqual(['non-string data']);
    expect(normalizeRequest('DataTransfer', { vendorId: 'x', data: 'already text' }).deviations).toEqual([]);
  });

  it('finds nothing to rewrite in standard 1.6 messages', () => {
    const standard: [string, Record<string, unknown>][] = [
      ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: '2026-01-01T00:00:00Z' }],
      ['StartTransaction', { connectorId: 2, idTag: 'CARD', meterStart: 100, timestamp: '2026-01-01T00:00:00Z', reservationId: 9 }],
      ['StopTransaction', { meterStop: 200, timestamp: '2026-01-01T01:00:00Z', transactionId: 4, reason: 'EVDisconnected' }],
      ['MeterValues', { connectorId: 1, transactionId: 4, meterValue: [{ timestamp: '2026-01-01T00:30:00Z', sampledValue: [{ value: '150' }] }] }],
      ['Heartbeat', {}],
    ];
    for (const [action, input] of standard) {
      const { payload, deviations } = normalizeRequest(action, input);
      expect(deviations).toEqual([]);
      expect(payload).toEqual(input);
    }
  });
});

describe('dialect detection', () => {
  it('serves a client that offers no subprotocol as the FlexiCharge charger, else keeps the stored dialect', () => {
    expect(dialectOnConnect([], 'ocpp1.6')).toBe('flexicharge');
    expect(dialectOnConnect(['ocpp1.6'], 'ocpp1.6')).toBe('ocpp1.6');
    expect(dialectOnConnect(['ocpp1.6'], 'flexicharge')).toBe('flexicharge');
  });

  it('knows the FlexiCharge charger by the action in its CALLRESULTs and by the rewrites its CALLs need', () => {
    expect(dialectOfAnswer(true)).toBe('flexicharge');
    expect(dialectOfAnswer(false)).toBe('ocpp1.6');
    expect(dialectOfDeviations(normalizeRequest('StatusNotification', CHARGER.status).deviations)).toBe('flexicharge');
    expect(dialectOfDeviations([])).toBeUndefined();
  });

  it('sends BootData only to the FlexiCharge charger, and gives up on it when the charger does not know the vendor', () => {
    expect(wantsBootData('flexicharge')).toBe(true);
    expect(wantsBootData('ocpp1.6')).toBe(false);
    expect(refusesBootData('UnknownVendorId')).toBe(true);
    expect(refusesBootData('Rejected')).toBe(false);
    expect(refusesBootData('Accepted')).toBe(false);
  });
});

describe('shaping commands for the FlexiCharge charger (clients.md A.4)', () => {
  it('writes BootData as a JSON string with the HTTP connectorID and a numeric price in SEK', () => {
    const request = bootDataRequest(100009, 525);
    expect(request).toMatchObject({ vendorId: 'com.flexicharge', messageId: 'BootData' });
    expect(typeof request.data).toBe('string');
    expect(JSON.parse(request.data)).toEqual({ connectorID: 100009, chargingPrice: 5.25 });
    expect(JSON.parse(bootDataRequest(100000, 0).data)).toEqual({ connectorID: 100000, chargingPrice: 0 });
  });

  it('adds transactionID to RemoteStopTransaction and keeps the standard key beside it', () => {
    expect(shapeCommand('flexicharge', 'RemoteStopTransaction', { transactionId: 7 })).toEqual({ transactionId: 7, transactionID: 7 });
  });

  it('starts with idTag 1 when nothing is reserved, or with the reserved tag as an integer', () => {
    expect(shapeCommand('flexicharge', 'RemoteStartTransaction', { connectorId: 1, idTag: 'user-uuid' })).toMatchObject({ connectorID: 1, idTag: 1 });
    expect(shapeCommand('flexicharge', 'RemoteStartTransaction', { idTag: 'user-uuid' })).toMatchObject({ connectorID: 1, idTag: 1 });
    expect(shapeCommand('flexicharge', 'RemoteStartTransaction', { connectorId: 1, idTag: 'x' }, '4711')).toMatchObject({ idTag: 4711 });
  });

  it('writes ReserveNow with the charger\'s capital-ID keys and an integer-like idTag', () => {
    expect(shapeCommand('flexicharge', 'ReserveNow', { connectorId: 1, expiryDate: '2026-01-01T00:00:00Z', idTag: '42', reservationId: 3 })).toEqual({
      connectorId: 1, expiryDate: '2026-01-01T00:00:00Z', idTag: 42, reservationId: 3, connectorID: 1, reservationID: 3,
    });
    expect(shapeCommand('flexicharge', 'ReserveNow', { connectorId: 1, idTag: '42', reservationId: 3, parentIdTag: '7' })).toMatchObject({ parentIdTag: 7 });
    // A tag that is no integer stays as it is (the charger will not answer; the call times out).
    expect(shapeCommand('flexicharge', 'ReserveNow', { connectorId: 1, idTag: 'ABC', reservationId: 3 })).toMatchObject({ idTag: 'ABC' });
  });

  it('adds reservationID to CancelReservation', () => {
    expect(shapeCommand('flexicharge', 'CancelReservation', { reservationId: 3 })).toEqual({ reservationId: 3, reservationID: 3 });
  });

  it('sends standard chargers the standard payload untouched', () => {
    const payload = { connectorId: 1, idTag: 'CARD' };
    expect(shapeCommand('ocpp1.6', 'RemoteStartTransaction', payload)).toBe(payload);
    expect(shapeCommand('flexicharge', 'Reset', { type: 'Soft' })).toEqual({ type: 'Soft' });
  });

  it('keeps reservations on the server for the FlexiCharge charger only', () => {
    expect(supportsReservations('flexicharge')).toBe(false);
    expect(supportsReservations('ocpp1.6')).toBe(true);
  });

  it('counts the session\'s tag for a FlexiCharge start, the charger\'s own tag for a standard one', () => {
    expect(startTagOf('flexicharge', '1', 'USER-TAG')).toBe('USER-TAG');
    expect(startTagOf('flexicharge', undefined, undefined)).toBeUndefined();
    expect(startTagOf('flexicharge', 'CARD', undefined)).toBe('CARD');
    expect(startTagOf('ocpp1.6', 'CARD', 'USER-TAG')).toBe('CARD');
    expect(startTagOf('ocpp1.6', undefined, 'USER-TAG')).toBe('USER-TAG');
  });
});

describe('charger identity from the connection URL (ocpp-j-rules §1.1)', () => {
  it('is the last path segment', () => {
    expect(identityFromPath('/charger/abc119')).toBe('abc119');
    expect(identityFromPath('/ocpp/cs/CP-0001')).toBe('CP-0001');
    expect(identityFromPath('/testchargeralwaysconnected')).toBe('testchargeralwaysconnected');
  });

  it('ignores the query and a trailing slash, and keeps the case', () => {
    expect(identityFromPath('/charger/ABC119?token=x')).toBe('ABC119');
    expect(identityFromPath('/charger/abc119/')).toBe('abc119');
  });

  it('is percent-decoded', () => {
    expect(identityFromPath('/charger/Laddare%20%C3%85')).toBe('Laddare Å');
  });

  it('is missing from a path without segments, or one that does not decode', () => {
    expect(identityFromPath('/')).toBeUndefined();
    expect(identityFromPath('')).toBeUndefined();
    expect(identityFromPath('/charger/%E0%A4%A')).toBeUndefined();
    expect(identityFromPath('/charger/100%')).toBeUndefined();
  });
});
