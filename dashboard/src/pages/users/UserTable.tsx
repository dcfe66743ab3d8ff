import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { href } from '../../router.ts';
import { ActionError } from '../../components/ActionError.tsx';
import { setEnabled } from './accounts.ts';
import { attribute, userPath, type Account } from './types.ts';
import { useAction } from '../../components/useAction.ts';

/** The users, each linking to its page, with a button to enable or disable it. */
export function UserTable({ accounts, onChange }: { accounts: Account[]; onChange: (account: Account) => void }) {
  const action = useAction();
  const toggle = (account: Account) => action.run(async () => onChange(await setEnabled(account, !account.Enabled)));
  if (accounts.length === 0) return <p class="muted">{t('common.noRows')}</p>;
  return (
    <>
      <ActionError error={action.error} />
      <div class="table-wrap">
        <table aria-label={t('users.title')}>
          <thead>
            <tr>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('users.id')}</th>
              <th scope="col">{t('users.accountStatus')}</th>
              <th scope="col">{t('users.enabled')}</th>
              <th scope="col">{t('users.created')}</th>
              <th scope="col">{t('users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <tr key={account.Username} data-testid={`user-${account.Username}`}>
                <td><a href={href(userPath(account.Username))}>{account.Username}</a></td>
                <td>{[attribute(account, 'name'), attribute(account, 'family_name')].filter(Boolean).join(' ') || '–'}</td>
                <td>{attribute(account, 'sub')}</td>
                <td>{account.UserStatus}</td>
                <td><span class={`badge ${account.Enabled ? 'ok' : 'bad'}`}>{account.Enabled ? t('users.isEnabled') : t('users.isDisabled')}</span></td>
                <td>{when(account.UserCreateDate)}</td>
                <td>
                  <button type="button" class={account.Enabled ? 'danger' : undefined} disabled={action.busy} onClick={() => toggle(account)}
                    aria-label={t(account.Enabled ? 'users.disableUser' : 'users.enableUser', { email: account.Username })}>
                    {account.Enabled ? t('users.disable') : t('users.enable')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
