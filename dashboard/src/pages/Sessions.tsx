import { useMemo } from 'preact/hooks';
import { PageHeader } from '../components/PageHeader.tsx';
import { t } from '../i18n/index.ts';
import { useHashQuery } from './sessions/hashQuery.ts';
import { filterOf } from './sessions/filter.ts';
import { SessionFilters } from './sessions/SessionFilters.tsx';
import { SessionTable } from './sessions/SessionTable.tsx';
import { useSessionPages } from './sessions/useSessionPages.ts';

/** Charging sessions, newest first, filtered by the hash's query (`#/sessions?userId=7&status=Charging`). */
export function Sessions(_props: { params: Record<string, string> }) {
  const search = useHashQuery();
  const filter = useMemo(() => filterOf(new URLSearchParams(search)), [search]);
  const { page, error, loading, refresh, loadMore } = useSessionPages(filter);

  return (
    <>
      <PageHeader title={t('sessions.title')}>
        <button type="button" onClick={refresh} disabled={loading}>{t('sessions.refresh')}</button>
      </PageHeader>
      <SessionFilters filter={filter} />
      {error && (
        <div class="notice error" role="alert">
          {t('common.error', { message: error.message })}{' '}
          <button type="button" onClick={refresh}>{t('app.retry')}</button>
        </div>
      )}
      {page ? <SessionTable sessions={page.sessions} /> : !error && <p class="muted" aria-busy="true">{t('app.loading')}</p>}
      {page?.nextBefore != null && (
        <p class="load-more">
          <button type="button" onClick={loadMore} disabled={loading}>{t('common.loadMore')}</button>
        </p>
      )}
    </>
  );
}
