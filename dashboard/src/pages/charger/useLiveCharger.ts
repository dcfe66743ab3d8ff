import { useEffect } from 'preact/hooks';
import type { Loaded } from '../../data.ts';
import { onLive } from '../../live.ts';
import type { ChargerDetail } from './types.ts';

/** Keeps the charger as shown up to date with the live events about it. */
export function useLiveCharger(chargerId: number, loaded: Loaded<ChargerDetail>): void {
  const { update, reload } = loaded;
  useEffect(() => {
    const mine = (event: { chargerId: number }) => event.chargerId === chargerId;
    const stops = [
      onLive('online', (event) => mine(event) && update((c) => ({ ...c, online: true, lastSeenAt: new Date().toISOString() }))),
      onLive('offline', (event) => mine(event) && update((c) => ({ ...c, online: false }))),
      // Frames come for this charger while the page watches it: one from the charger means it was seen then.
      onLive('frame', (event) => mine(event) && event.direction === 'in' && update((c) => ({ ...c, lastSeenAt: event.at }))),
      onLive('status', (event) => mine(event) && update((c) => ({
        ...c,
        status: event.connectorId === 0 ? event.status : c.status,
        connectors: c.connectors.map((k) => (k.connectorId === event.connectorId ? { ...k, status: event.status, errorCode: event.errorCode, statusAt: event.at } : k)),
      }))),
      // A session that starts or ends changes the list of running ones: read it again (with their stored energy).
      onLive('sessionStarted', (event) => mine(event) && reload()),
      onLive('sessionStopped', (event) => mine(event) && reload()),
      onLive('meterValues', (event) => mine(event) && update((c) => {
        const sessions = c.sessions.map((s) => (s.sessionId === event.sessionId ? { ...s, energyWh: event.energyWh, powerW: event.powerW } : s));
        const running = sessions.some((s) => s.sessionId === event.sessionId);
        return { ...c, sessions, powerW: running ? sessions.reduce((sum, s) => sum + (s.powerW ?? 0), 0) : c.powerW };
      })),
    ];
    return () => stops.forEach((stop) => stop());
  }, [chargerId, update, reload]);
}
