import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApi, type Loaded } from '../../data.ts';
import { onLive } from '../../live.ts';
import type { SiteLoad, SiteLoadHistory } from './types.ts';

/** A point of the load chart: the start of a step (ms) and the load in it (W). */
export interface LoadPoint {
  at: number;
  loadW: number;
}

export interface SiteLoadView {
  snapshot: Loaded<SiteLoad>;
  history: Loaded<SiteLoadHistory>;
  /** The snapshot with each session's power as its charger last reported it live, and their sum. */
  load: SiteLoad | undefined;
  /** The stored history, then the load as it was when each live reading came, one point per step. */
  points: LoadPoint[];
}

type Powers = ReadonlyMap<number, number | null>;

/** The snapshot with the sessions' live power in place of the stored one. */
function withPowers(snapshot: SiteLoad, powers: Powers): SiteLoad {
  const connectors = snapshot.connectors.map((connector) => (powers.has(connector.sessionID) ? { ...connector, powerW: powers.get(connector.sessionID)! } : connector));
  return { ...snapshot, connectors, loadW: connectors.reduce((sum, connector) => sum + (connector.powerW ?? 0), 0) };
}

/**
 * A site's load, kept live: the snapshot and the history are read when shown (and again after
 * the live stream reconnects); each `meterValues` of the site's chargers updates its session's
 * power and moves the chart's newest point; a balancer run or a session starting or stopping
 * has the snapshot read again (its rows and limits changed).
 */
export function useSiteLoad(chargePointId: number, chargerIds: readonly number[]): SiteLoadView {
  const snapshot = useApi<SiteLoad>(`/chargePoints/${chargePointId}/load`);
  const history = useApi<SiteLoadHistory>(`/chargePoints/${chargePointId}/load/history`);
  const [powers, setPowers] = useState<Powers>(new Map());
  const [live, setLive] = useState<ReadonlyMap<number, number>>(new Map());

  // The event listeners read the newest of these without subscribing again on every change.
  const current = useRef({ chargerIds, snapshot: snapshot.data, powers, stepMs: 0, spanMs: 0 });
  current.current.chargerIds = chargerIds;
  current.current.snapshot = snapshot.data;
  current.current.stepMs = (history.data?.stepSeconds ?? 0) * 1000;
  current.current.spanMs = history.data ? Date.parse(history.data.to) - Date.parse(history.data.from) : 0;

  const { reload } = snapshot;
  useEffect(() => {
    const ours = (chargerId: number) => current.current.chargerIds.includes(chargerId);
    const stops = [
      onLive('meterValues', (event) => {
        if (!ours(event.chargerId)) return;
        const state = current.current;
        state.powers = new Map(state.powers).set(event.sessionId, event.powerW);
        setPowers(state.powers);
        if (!state.snapshot || state.stepMs === 0) return;
        const step = Math.floor(Date.parse(event.at) / state.stepMs) * state.stepMs;
        const loadW = withPowers(state.snapshot, state.powers).loadW;
        // Steps that left the chart's window are forgotten: a panel may stay open for days.
        setLive((points) => new Map([...points].filter(([at]) => at > step - state.spanMs)).set(step, loadW));
      }),
      onLive('balanced', (event) => event.chargePointId === chargePointId && reload()),
      onLive('sessionStarted', (event) => ours(event.chargerId) && reload()),
      onLive('sessionStopped', (event) => ours(event.chargerId) && reload()),
    ];
    return () => stops.forEach((stop) => stop());
  }, [chargePointId, reload]);

  const load = useMemo(() => (snapshot.data ? withPowers(snapshot.data, powers) : undefined), [snapshot.data, powers]);
  // A snapshot read again (a session started or stopped) is the load now too.
  const stepMs = current.current.stepMs;
  useEffect(() => {
    if (!snapshot.data || stepMs === 0) return;
    const step = Math.floor(Date.now() / stepMs) * stepMs;
    setLive((points) => new Map(points).set(step, withPowers(snapshot.data!, current.current.powers).loadW));
  }, [snapshot.data, stepMs]);
  const points = useMemo(() => {
    if (!history.data) return [];
    const stored = history.data.points.map((point) => ({ at: Date.parse(point.at), loadW: point.loadW }));
    const newestStored = stored.at(-1)?.at ?? -Infinity;
    // Live points from the newest stored step on; one replaces the stored point of its step (that one is the step's mean so far).
    const fresh = [...live].filter(([at]) => at >= newestStored).map(([at, loadW]) => ({ at, loadW }));
    const freshSteps = new Set(fresh.map((point) => point.at));
    const merged = [...stored.filter((point) => !freshSteps.has(point.at)), ...fresh].sort((a, b) => a.at - b.at);
    // The window keeps its length as it moves on.
    const span = Date.parse(history.data.to) - Date.parse(history.data.from);
    const newest = merged.at(-1)?.at ?? 0;
    return merged.filter((point) => point.at > newest - span);
  }, [history.data, live]);

  return { snapshot, history, load, points };
}
