import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ago, when } from '../format.ts';

/** The time, every few seconds while some `Ago` is shown: they all tick together from one timer. */
const now = signal(Date.now());
let shown = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function useClock(): void {
  useEffect(() => {
    if (shown++ === 0) {
      now.value = Date.now();
      timer = setInterval(() => { now.value = Date.now(); }, 5_000);
    }
    return () => {
      if (--shown === 0) clearInterval(timer);
    };
  }, []);
}

/** "2 minutes ago", kept current; the exact time in its tooltip. `fallback` when there is no time. */
export function Ago({ iso, fallback }: { iso: string | null; fallback: string }) {
  useClock();
  if (!iso) return <span>{fallback}</span>;
  // A server clock a little ahead of ours must not read "in 2 seconds".
  const at = Math.max(now.value, Date.parse(iso));
  return <time dateTime={iso} title={when(iso)}>{ago(iso, at)}</time>;
}
