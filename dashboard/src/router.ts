import { signal } from '@preact/signals';

/** The page shown: the part of the location after `#`, e.g. `/chargers/12` (hash routes need nothing of the server). */
export const path = signal(readPath());

function readPath(): string {
  const hash = location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash.split('?')[0]! : '/fleet';
}

addEventListener('hashchange', () => {
  path.value = readPath();
});

/** The URL of a page, for `<a href>`. */
export const href = (to: string) => `#${to}`;

export function navigate(to: string): void {
  location.hash = to;
}

/** `pattern` like `/chargers/:id` against the current path: the named parts, or null. */
export function match(pattern: string, current: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = current.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(have[i]!);
    else if (part !== have[i]) return null;
  }
  return params;
}
