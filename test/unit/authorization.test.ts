import { describe, expect, it } from 'vitest';
import { authorizationOf, type CardRecord } from '../../src/domain/idTags.ts';

const card = (extra: Partial<CardRecord> = {}): CardRecord => ({
  known: true, status: 'Accepted', expiresAt: null, parentIdTag: null, parentStatus: null, parentExpiresAt: null,
  userId: 7, chargingSessionIds: [], appSession: false, ...extra,
});
const now = new Date('2026-11-29T12:00:00Z');

describe('authorizing a card', () => {
  it('accepts a valid card, and an unknown tag only when it is an app session\'s', () => {
    expect(authorizationOf(card(), false, now)).toEqual({ status: 'Accepted' });
    expect(authorizationOf(card({ known: false }), false, now)).toEqual({ status: 'Invalid' });
    expect(authorizationOf(card({ known: false, appSession: true }), false, now)).toEqual({ status: 'Accepted' });
  });

  it('refuses blocked and expired cards, and children of blocked or expired parents', () => {
    expect(authorizationOf(card({ status: 'Blocked' }), false, now).status).toBe('Blocked');
    expect(authorizationOf(card({ expiresAt: new Date('2026-01-01') }), false, now)).toMatchObject({ status: 'Expired', expiryDate: '2026-01-01T00:00:00.000Z' });
    expect(authorizationOf(card({ parentIdTag: 'P', parentStatus: 'Blocked' }), false, now)).toEqual({ status: 'Blocked', parentIdTag: 'P' });
    expect(authorizationOf(card({ parentIdTag: 'P', parentStatus: 'Accepted', parentExpiresAt: new Date('2020-01-01') }), false, now).status).toBe('Expired');
  });

  it('answers ConcurrentTx for a card that is charging, after every other rule', () => {
    expect(authorizationOf(card(), true, now).status).toBe('ConcurrentTx');
    expect(authorizationOf(card({ status: 'Blocked' }), true, now).status).toBe('Blocked');
  });
});
