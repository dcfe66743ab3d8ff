import { t } from '../../i18n/index.ts';
import type { Paged } from './usePaged.ts';

/** Under a paged table: why the last read failed, "Load more", or that it is loading. */
export function PagedFooter<T>({ paged }: { paged: Paged<T> }) {
  return (
    <div class="paged-footer">
      {paged.error && (
        <p class="notice error" role="alert">
          {t('common.error', { message: paged.error.message })}{' '}
          <button type="button" onClick={paged.reload}>{t('app.retry')}</button>
        </p>
      )}
      {!paged.loading && paged.items.length === 0 && !paged.error && <p class="muted">{t('common.noRows')}</p>}
      {paged.loading && <p class="muted" aria-busy="true">{t('app.loading')}</p>}
      {paged.hasMore && !paged.loading && <button type="button" onClick={paged.loadMore}>{t('common.loadMore')}</button>}
    </div>
  );
}
