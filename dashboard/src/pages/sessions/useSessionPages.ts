import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { onLive } from '../../live.ts';
import { sessionsQuery, type SessionFilter } from './filter.ts';
import type { SessionPage } from './types.ts';

const PAGE_SIZE = 50;
/** The most `GET /sessions` answers at once. */
const MAX_LIMIT = 200;
/** Sessions often start or stop in bursts (a site's chargers after an outage): one read for a burst. */
const REFRESH_DEBOUNCE_MS = 1000;

/** The first pages read again, followed by the older rows already loaded below them. */
function merge(old: SessionPage | undefined, fresh: SessionPage): SessionPage {
  if (!old || fresh.nextBefore === null || fresh.sessions.length === 0) return fresh;
  const lowest = Math.min(...fresh.sessions.map((s) => s.id));
  const older = old.sessions.filter((s) => s.id < lowest);
  return older.length ? { sessions: [...fresh.sessions, ...older], nextBefore: old.nextBefore } : fresh;
}

export interface SessionPages {
  page: SessionPage | undefined;
  error: Error | undefined;
  loading: boolean;
  refresh: () => void;
  loadMore: () => void;
}

/**
 * The sessions matching `filter`, newest first, a page at a time. Live readings update the
 * running ones in place; sessions starting or stopping read the loaded pages again.
 */
export function useSessionPages(filter: SessionFilter): SessionPages {
  const [page, setPage] = useState<SessionPage | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const shown = useRef<SessionPage | undefined>(undefined);
  // Only the latest read of each kind counts: a refresh and a "load more" may overlap, and both merge by id.
  const latest = useRef({ refresh: 0, more: 0 });
  const pending = useRef(0);
  shown.current = page;

  const read = useCallback((kind: 'refresh' | 'more', before: number | undefined, limit: number, apply: (fresh: SessionPage) => void) => {
    const mine = ++latest.current[kind];
    const current = () => mine === latest.current[kind];
    pending.current++;
    setLoading(true);
    api<SessionPage>(`/sessions${sessionsQuery(filter, limit, before)}`).finally(() => {
      pending.current--;
      setLoading(pending.current > 0);
    }).then(
      (fresh) => {
        if (!current()) return;
        apply(fresh);
        setError(undefined);
      },
      (reason: unknown) => {
        if (!current()) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
      },
    );
  }, [filter]);

  const refresh = useCallback(() => {
    const loaded = shown.current?.sessions.length ?? 0;
    read('refresh', undefined, Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, loaded)), (fresh) => setPage((old) => merge(old, fresh)));
  }, [read]);

  const loadMore = useCallback(() => {
    const before = shown.current?.nextBefore;
    if (before === null || before === undefined) return;
    read('more', before, PAGE_SIZE, (older) => setPage((old) => {
      const known = new Set(old?.sessions.map((s) => s.id));
      return { sessions: [...(old?.sessions ?? []), ...older.sessions.filter((s) => !known.has(s.id))], nextBefore: older.nextBefore };
    }));
  }, [read]);

  useEffect(() => {
    // Another filter: what was shown and any read still under way are of the old one.
    latest.current = { refresh: latest.current.refresh + 1, more: latest.current.more + 1 };
    setPage(undefined);
    shown.current = undefined;
    refresh();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, REFRESH_DEBOUNCE_MS);
    };
    const stops = [
      onLive('hello', refresh),
      onLive('sessionStarted', soon),
      onLive('sessionStopped', soon),
      onLive('meterValues', (reading) => setPage((old) => old && {
        ...old,
        sessions: old.sessions.map((s) => (s.id === reading.sessionId ? { ...s, energyWh: reading.energyWh, powerW: reading.powerW } : s)),
      })),
    ];
    return () => {
      clearTimeout(timer);
      for (const stop of stops) stop();
    };
  }, [refresh]);

  return { page, error, loading, refresh, loadMore };
}
