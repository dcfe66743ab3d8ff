import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/domain/units.ts';
import { ConnectionDialect, type DialectPeer } from '../../src/ocpp/dialect/connectionDialect.ts';
import { OcppError } from '../../src/ocpp/protocol/errors.ts';

/** A dialect object and the corrections it reported. */
function dialectOf(stored: Dialect, offered: string[] = ['ocpp1.6']) {
  const changes: [Dialect, Dialect][] = [];
  const dialect = new ConnectionDialect(stored, offered, (to, from) => changes.push([to, from]));
  return { dialect, changes };
}

/** A connection whose charger answers DataTransfer with `answer` (or fails it). */
function peer(answer: () => Promise<Record<string, unknown>>) {
  const calls: [string, Record<string, unknown>][] = [];
  const connection: DialectPeer = {
    chargerId: 100009,
    log: pino({ level: 'silent' }),
    call: (action, payload) => {
      calls.push([action, payload]);
      return answer();
    },
  };
  return { connection, calls };
}

describe('one connection\'s dialect', () => {
  it('starts from the stored dialect, or FlexiCharge for a client offering no subprotocol', () => {
    expect(dialectOf('ocpp1.6').dialect.kind).toBe('ocpp1.6');
    expect(dialectOf('flexicharge').dialect.kind).toBe('flexicharge');
    expect(dialectOf('ocpp1.6', []).dialect.kind).toBe('flexicharge');
  });

  it('is corrected by what the charger does, and reports each change once', () => {
    const { dialect, changes } = dialectOf('ocpp1.6');
    dialect.readRequest('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    expect(changes).toEqual([]);
    expect(dialect.readRequest('StatusNotification', { connectorId: '1', errorCode: '', status: 'Reserved' })).toEqual({ connectorId: 1, errorCode: 'NoError', status: 'Reserved' });
    dialect.readAnswer(true);
    expect(dialect.kind).toBe('flexicharge');
    dialect.readAnswer(false);
    expect(dialect.kind).toBe('ocpp1.6');
    expect(changes).toEqual([['flexicharge', 'ocpp1.6'], ['ocpp1.6', 'flexicharge']]);
  });

  it('keeps reservations on the server for the FlexiCharge charger only', () => {
    expect(dialectOf('flexicharge').dialect.supportsReservations).toBe(false);
    expect(dialectOf('ocpp1.6').dialect.supportsReservations).toBe(true);
  });

  it('gives the FlexiCharge start the remote start\'s tag, once, and starts with the reserved tag after an accepted ReserveNow', () => {
    const { dialect } = dialectOf('flexicharge');
    expect(dialect.shapeCommand('RemoteStartTransaction', { connectorId: 1, idTag: 'USER-TAG' })).toMatchObject({ connectorID: 1, idTag: 1 });
    expect(dialect.startTag(1, null)).toEqual({ idTag: 'USER-TAG', remoteStartTag: 'USER-TAG' });
    expect(dialect.startTag(1, '1')).toEqual({ idTag: '1', remoteStartTag: undefined });

    const reservation = { connectorId: 1, expiryDate: '2026-01-01T00:00:00Z', idTag: '4711', reservationId: 3 };
    dialect.commandAnswered('ReserveNow', reservation, { status: 'Rejected' });
    expect(dialect.shapeCommand('RemoteStartTransaction', { idTag: 'USER-TAG' })).toMatchObject({ idTag: 1 });
    dialect.commandAnswered('ReserveNow', reservation, { status: 'Accepted' });
    expect(dialect.shapeCommand('RemoteStartTransaction', { idTag: 'USER-TAG' })).toMatchObject({ connectorID: 1, idTag: 4711 });
  });

  it('gives a standard start the charger\'s own tag, and the remote start\'s when it reports none', () => {
    const { dialect } = dialectOf('ocpp1.6');
    expect(dialect.shapeCommand('RemoteStartTransaction', { connectorId: 2, idTag: 'USER-TAG' })).toEqual({ connectorId: 2, idTag: 'USER-TAG' });
    expect(dialect.startTag(1, 'CARD')).toEqual({ idTag: 'CARD', remoteStartTag: undefined });
    expect(dialect.startTag(2, 'CARD')).toEqual({ idTag: 'CARD', remoteStartTag: 'USER-TAG' });
    dialect.shapeCommand('RemoteStartTransaction', { connectorId: 2, idTag: 'USER-TAG' });
    expect(dialect.startTag(null, null)).toEqual({ idTag: null, remoteStartTag: undefined });
    expect(dialect.startTag(2, null)).toEqual({ idTag: 'USER-TAG', remoteStartTag: 'USER-TAG' });
  });

  it('sends the FlexiCharge charger BootData once registered, with its connectorID and price', async () => {
    const { dialect, changes } = dialectOf('flexicharge');
    const { connection, calls } = peer(async () => ({ status: 'Accepted' }));
    await dialect.registered(connection, async () => 525);
    expect(calls).toEqual([['DataTransfer', { vendorId: 'com.flexicharge', messageId: 'BootData', data: '{"connectorID":100009,"chargingPrice":5.25}' }]]);
    expect(changes).toEqual([]);
  });

  it('learns that a charger speaks standard OCPP when it refuses BootData, and keeps the dialect when it only does not answer', async () => {
    for (const answer of [async () => ({ status: 'UnknownVendorId' }), () => Promise.reject(new OcppError('NotImplemented', 'no'))]) {
      const { dialect, changes } = dialectOf('flexicharge');
      await dialect.registered(peer(answer).connection, async () => 525);
      expect(changes).toEqual([['ocpp1.6', 'flexicharge']]);
    }
    const { dialect, changes } = dialectOf('flexicharge');
    await dialect.registered(peer(() => Promise.reject(new Error('DataTransfer was not answered within 30 s'))).connection, async () => 525);
    expect(changes).toEqual([]);
  });

  it('sends a standard charger nothing after its boot', async () => {
    const { connection, calls } = peer(async () => ({ status: 'Accepted' }));
    await dialectOf('ocpp1.6').dialect.registered(connection, async () => 525);
    expect(calls).toEqual([]);
  });

  it('answers the FlexiCharge vendor\'s messages, and no other vendor\'s', () => {
    const { dialect } = dialectOf('ocpp1.6');
    const log = pino({ level: 'silent' });
    expect(dialect.answerDataTransfer({ vendorId: 'com.flexicharge', messageId: 'ChargeLevelUpdate', data: '{}' }, log)).toEqual({ status: 'Accepted' });
    expect(dialect.answerDataTransfer({ vendorId: 'com.flexicharge', messageId: 'Other' }, log)).toEqual({ status: 'UnknownMessageId' });
    expect(dialect.answerDataTransfer({ vendorId: 'com.other', messageId: 'ChargeLevelUpdate' }, log)).toEqual({ status: 'UnknownVendorId' });
  });
});
