import { useEffect, useState } from 'preact/hooks';

/** The query part of the location's hash (`#/sessions?userId=7` → userId=7); router.ts's `path` leaves it out. */
function hashQuery(): URLSearchParams {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** The hash's query as text, following it as it changes (a change of the query alone keeps the page). */
export function useHashQuery(): string {
  const [text, setText] = useState(() => hashQuery().toString());
  useEffect(() => {
    const follow = () => setText(hashQuery().toString());
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return text;
}
