import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';
import { onLive } from './live.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Reads it again (keeps showing the old data meanwhile). */
  reload: () => void;
  /** Changes what is shown without asking the server (a live event's effect). */
  update: (change: (data: T) => T) => void;
}

/**
 * The JSON of `path`, read when it changes and again after the live stream reconnects
 * (events may have been missed meanwhile). `path` null reads nothing.
 */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const generation = useRef(0);

  const reload = useCallback(() => {
    if (path === null) return;
    const mine = ++generation.current;
    setLoading(true);
    api<T>(path).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (mine !== generation.current) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setLoading(false);
      },
    );
  }, [path]);

  useEffect(() => {
    setData(undefined);
    reload();
    return onLive('hello', reload);
  }, [reload]);

  const update = useCallback((change: (data: T) => T) => setData((current) => (current === undefined ? current : change(current))), []);
  return { data, error, loading, reload, update };
}
