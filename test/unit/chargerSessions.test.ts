import { describe, expect, it } from 'vitest';
import { ChargerSessions, type KnownSession } from '../../src/domain/sessions/chargerSessions.ts';

const session = (id: number, extra: Partial<KnownSession> = {}): KnownSession => ({
  id, connectorId: 1, idTag: 'CARD', userId: null, meterStartWh: 0, startedAt: id * 1000, accepted: true, open: true,
  stoppedAt: null, meterStopWh: null, closedBy: null, startStatus: 'Accepted', ...extra,
});

describe('the sessions a charger has reported on', () => {
  it('counts a card as charging only while an accepted session with it is open', () => {
    const sessions = new ChargerSessions();
    sessions.add(1, session(10, { idTag: 'card' }));
    sessions.add(2, session(11, { idTag: 'OTHER', accepted: false, startStatus: 'ConcurrentTx' }));
    expect(sessions.isCharging('CARD')).toBe(true);
    expect(sessions.isCharging('other')).toBe(false);
    sessions.finish(1, 10, { stoppedAt: 20_000, meterStopWh: 500, closedBy: null });
    expect(sessions.isCharging('CARD')).toBe(false);
    sessions.add(3, session(12, { idTag: 'CARD' }));
    sessions.forget(3);
    expect(sessions.isCharging('CARD')).toBe(false);
  });

  it('finds the newest open session on a connector, and the ones a new start there ends', () => {
    const sessions = new ChargerSessions();
    sessions.add(1, session(1, { connectorId: 1, startedAt: 1000 }));
    sessions.add(1, session(2, { connectorId: 2, startedAt: 3000 }));
    sessions.add(1, session(3, { connectorId: 1, startedAt: 2000 }));
    expect(sessions.openOn(1, 1)?.id).toBe(3);
    expect(sessions.openOn(1)?.id).toBe(2);
    expect(sessions.openBefore(1, 1, 2500).map((s) => s.id)).toEqual([1, 3]);
    expect(sessions.openBefore(1, 1, 1500).map((s) => s.id)).toEqual([1]);
  });

  it('recognises replayed starts and stops by content, never a stop of a session it closed itself', () => {
    const sessions = new ChargerSessions();
    sessions.add(1, session(1, { startedAt: 5000, meterStartWh: 100 }));
    expect(sessions.startedWith(1, 1, 5000, 100)?.id).toBe(1);
    expect(sessions.startedWith(1, 1, 5000, 101)).toBeUndefined();
    sessions.finish(1, 1, { stoppedAt: 9000, meterStopWh: 900, closedBy: null });
    expect(sessions.stoppedWith(1, 9000, 900)?.id).toBe(1);
    sessions.add(1, session(2));
    sessions.finish(1, 2, { stoppedAt: 9500, meterStopWh: null, closedBy: 'closedByNewTransaction' });
    expect(sessions.stoppedWith(1, 9500, null)).toBeUndefined();
  });

  it('keeps every open session and the eight newest finished ones', () => {
    const sessions = new ChargerSessions();
    sessions.add(1, session(100, { connectorId: 2 }));
    for (let id = 1; id <= 20; id++) {
      sessions.add(1, session(id));
      sessions.finish(1, id, { stoppedAt: id * 1000 + 1, meterStopWh: id, closedBy: null });
    }
    expect(sessions.find(1, 100)?.open).toBe(true);
    expect(sessions.find(1, 12)).toBeUndefined();
    expect(sessions.find(1, 13)?.open).toBe(false);
    expect(sessions.find(1, 20)).toBeDefined();
  });
});

describe('ids a charger names that are not its sessions', () => {
  it('are remembered per charger until it is read again, and a bounded few at a time', () => {
    const sessions = new ChargerSessions();
    sessions.markForeign(1, 1);
    expect(sessions.isForeign(1, 1)).toBe(true);
    expect(sessions.isForeign(2, 1)).toBe(false);
    for (let id = 2; id <= 17; id++) sessions.markForeign(1, id);
    expect(sessions.isForeign(1, 1)).toBe(false);
    expect(sessions.isForeign(1, 17)).toBe(true);
    sessions.load(1, []);
    expect(sessions.isForeign(1, 17)).toBe(false);
  });
});
