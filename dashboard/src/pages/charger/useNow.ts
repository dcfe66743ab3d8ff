import { useEffect, useState } from 'preact/hooks';

/** The time now (ms), renewed every `everyMs`, so that "3 minutes ago" stays true while the page is open. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
