import { query } from '../../api.ts';

/** What the sessions list is narrowed to, as in the page's hash query (dates as yyyy-mm-dd, local). */
export interface SessionFilter {
  status: string;
  chargerId: string;
  userId: string;
  from: string;
  to: string;
}

const FILTER_KEYS = ['status', 'chargerId', 'userId', 'from', 'to'] as const;

export function filterOf(search: URLSearchParams): SessionFilter {
  return { status: search.get('status') ?? '', chargerId: search.get('chargerId') ?? '', userId: search.get('userId') ?? '', from: search.get('from') ?? '', to: search.get('to') ?? '' };
}

/** The page's hash for `filter` (the empty fields left out). */
export function filterHash(filter: SessionFilter): string {
  const search = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filter[key].trim()) search.set(key, filter[key].trim());
  const text = search.toString();
  return `/sessions${text ? `?${text}` : ''}`;
}

/** Local midnight at the start of `date` (yyyy-mm-dd) plus `days`, as ISO; undefined for no or no valid date. */
function dayStart(date: string, days: number): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const start = new Date(`${date}T00:00:00`);
  if (Number.isNaN(start.getTime())) return undefined;
  start.setDate(start.getDate() + days);
  return start.toISOString();
}

/** The query of `GET /sessions` for `filter`: `to` is inclusive of its whole day. */
export function sessionsQuery(filter: SessionFilter, limit: number, before?: number): string {
  return query({
    status: filter.status, chargerId: filter.chargerId.trim(), userId: filter.userId.trim(),
    from: dayStart(filter.from, 0), to: dayStart(filter.to, 1), limit, before,
  });
}
