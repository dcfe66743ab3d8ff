import { useMemo, useState } from 'preact/hooks';
import { PageHeader } from '../components/PageHeader.tsx';
import { t } from '../i18n/index.ts';
import { useAccountPages } from './users/accounts.ts';
import { CreateUserForm } from './users/CreateUserForm.tsx';
import { attribute, type Account } from './users/types.ts';
import { UserTable } from './users/UserTable.tsx';

/** Whether the account's e-mail address, names or id contain `text` (the list route has no filter: loaded pages are searched). */
function matches(account: Account, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return true;
  return [account.Username, attribute(account, 'name'), attribute(account, 'family_name'), attribute(account, 'sub')]
    .some((value) => value.toLowerCase().includes(wanted));
}

/** The users: search, create, enable or disable; each links to its page. */
export function Users(_props: { params: Record<string, string> }) {
  const pages = useAccountPages();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const shown = useMemo(() => pages.accounts?.filter((account) => matches(account, search)), [pages.accounts, search]);

  return (
    <>
      <PageHeader title={t('users.title')}>
        <button type="button" aria-expanded={creating} aria-controls="create-user" onClick={() => setCreating(!creating)}>
          {creating ? t('common.close') : t('users.create.open')}
        </button>
      </PageHeader>
      {creating && <div id="create-user"><CreateUserForm onCreated={pages.put} /></div>}
      <div class="filters" role="search">
        <label>
          {t('users.search')}
          <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
        {pages.accounts && search.trim() && (
          <p class="muted" role="status">{t('users.searchCount', { shown: shown?.length ?? 0, loaded: pages.accounts.length })}</p>
        )}
      </div>
      {pages.error && (
        <div class="notice error" role="alert">
          {t('common.error', { message: pages.error.message })}{' '}
          <button type="button" onClick={pages.reload}>{t('app.retry')}</button>
        </div>
      )}
      {shown ? <UserTable accounts={shown} onChange={pages.put} /> : !pages.error && <p class="muted" aria-busy="true">{t('app.loading')}</p>}
      {pages.more && (
        <p class="load-more">
          <button type="button" onClick={pages.loadMore} disabled={pages.loading}>{t('common.loadMore')}</button>
          {search.trim() && <span class="muted"> {t('users.searchMore')}</span>}
        </p>
      )}
    </>
  );
}
