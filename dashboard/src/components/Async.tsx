import type { ComponentChildren } from 'preact';
import type { Loaded } from '../data.ts';
import { t } from '../i18n/index.ts';

/** The children once `loaded` has data; a loading note before, an error with a retry after a failure. */
export function Async<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.data !== undefined) return <>{children(loaded.data)}</>;
  if (loaded.error) {
    return (
      <div class="notice error" role="alert">
        {t('common.error', { message: loaded.error.message })}{' '}
        <button type="button" onClick={loaded.reload}>{t('app.retry')}</button>
      </div>
    );
  }
  return <p class="muted" aria-busy="true">{t('app.loading')}</p>;
}
