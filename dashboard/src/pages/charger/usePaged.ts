import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onLive } from '../../live.ts';

export interface Page<T, C> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: C | null;
}

export interface Paged<T> {
  items: T[];
  loading: boolean;
  error: Error | undefined;
  hasMore: boolean;
  loadMore: () => void;
  /** Reads the first page again (what was shown stays until it arrives). */
  reload: () => void;
}

/**
 * A list read a page at a time: `read(cursor)` reads the page after `cursor` (null: the
 * first). A new `read` (other filters) starts again at the first page, and so does a reconnection
 * of the live stream (events may have been missed).
 */
export function usePaged<T, C>(read: (cursor: C | null) => Promise<Page<T, C>>): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<C | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>(undefined);
  const generation = useRef(0);

  const load = useCallback((cursor: C | null) => {
    const mine = ++generation.current;
    setLoading(true);
    read(cursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((current) => (cursor === null ? page.items : [...current, ...page.items]));
        setNext(page.next);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (mine !== generation.current) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setLoading(false);
      },
    );
  }, [read]);

  const reload = useCallback(() => load(null), [load]);
  useEffect(() => {
    reload();
    return onLive('hello', reload);
  }, [reload]);

  return { items, loading, error, hasMore: next !== null, loadMore: () => next !== null && load(next), reload };
}
