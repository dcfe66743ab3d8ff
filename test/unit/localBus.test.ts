import { describe, expect, it } from 'vitest';
import { LocalBus } from '../../src/cluster/localBus.ts';
import { announceStored, nextEvent } from '../../src/domain/events.ts';

describe('the in-process bus', () => {
  it('calls the listeners of the event\'s topic and of all topics, once each, at once, as local', () => {
    const bus = new LocalBus('n1');
    const heard: string[] = [];
    bus.subscribe('sessionStopped', (event, origin) => heard.push(`7:${event.sessionId}:${origin.local}`), '7');
    bus.subscribe('sessionStopped', (event) => heard.push(`all:${event.sessionId}`));
    const stop8 = bus.subscribe('sessionStopped', () => heard.push('8'), '8');
    bus.publish('sessionStopped', { chargerId: 100001, sessionId: 7 }, '7');
    expect(heard).toEqual(['7:7:true', 'all:7']);
    stop8();
    bus.publish('sessionStopped', { chargerId: 100001, sessionId: 8 }, '8');
    expect(heard).toEqual(['7:7:true', 'all:7', 'all:8']);
  });

  it('waits for the next matching event of its topic, and gives up after its time', async () => {
    const bus = new LocalBus('n1');
    const started = nextEvent(bus, 'sessionStarted', '42', (event) => event.connectorId === 1, 60_000);
    announceStored(bus, [
      { kind: 'start', sessionId: 41, requested: false, chargerId: 100001, connectorId: 1, idTag: 'A', accepted: true, meterStartWh: 0, startedAt: '', receivedAt: '', reservationId: null, flags: [] },
      { kind: 'start', sessionId: 42, requested: true, chargerId: 100001, connectorId: 1, idTag: 'B', accepted: true, meterStartWh: 0, startedAt: '', receivedAt: '', reservationId: null, flags: [] },
    ]);
    await expect(started.promise).resolves.toMatchObject({ sessionId: 42 });
    const never = nextEvent(bus, 'sessionStopped', '43', () => true, 10);
    await expect(never.promise).rejects.toThrow('no sessionStopped within 10 ms');
  });
});
