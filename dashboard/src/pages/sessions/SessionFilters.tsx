import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { filterHash, type SessionFilter } from './filter.ts';
import { SESSION_STATUSES } from './types.ts';

const EMPTY: SessionFilter = { status: '', chargerId: '', userId: '', from: '', to: '' };

/** The list's filters; applying them puts them in the page's address (so back, reload and links keep them). */
export function SessionFilters({ filter }: { filter: SessionFilter }) {
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const field = (key: keyof SessionFilter) => ({
    value: draft[key],
    onInput: (event: Event) => setDraft({ ...draft, [key]: (event.currentTarget as HTMLInputElement).value }),
  });

  return (
    <form class="filters" role="search" aria-label={t('sessions.filters')} onSubmit={(event) => { event.preventDefault(); navigate(filterHash(draft)); }}>
      <label>
        {t('sessions.status')}
        <select {...field('status')}>
          <option value="">{t('common.all')}</option>
          {SESSION_STATUSES.map((status) => <option key={status} value={status}>{status}</option>)}
        </select>
      </label>
      <label>
        {t('sessions.chargerId')}
        <input type="text" inputMode="numeric" pattern="[0-9]*" size={9} {...field('chargerId')} />
      </label>
      <label>
        {t('sessions.userId')}
        <input type="text" inputMode="numeric" pattern="[0-9]*" size={7} {...field('userId')} />
      </label>
      <label>
        {t('sessions.from')}
        <input type="date" {...field('from')} />
      </label>
      <label>
        {t('sessions.to')}
        <input type="date" {...field('to')} />
      </label>
      <button type="submit" class="primary">{t('common.filter')}</button>
      <button type="button" onClick={() => { setDraft(EMPTY); navigate(filterHash(EMPTY)); }}>{t('sessions.clearFilters')}</button>
    </form>
  );
}
