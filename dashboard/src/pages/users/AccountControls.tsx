import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';
import { ActionError } from '../../components/ActionError.tsx';
import { findAccount, setEnabled } from './accounts.ts';
import type { Account } from './types.ts';
import { useAction } from '../../components/useAction.ts';

/** A user's sign-in: whether it is enabled (and switching it), and requiring a new password. */
export function AccountControls({ email }: { email: string }) {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);
  const [lookupError, setLookupError] = useState<string | undefined>(undefined);
  const [resetSent, setResetSent] = useState(false);
  const action = useAction();

  // The status changes with a password reset, so it is looked up again after one.
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    findAccount(email).then(
      (found) => {
        if (!current) return;
        setAccount(found);
        setLookupError(undefined);
      },
      (reason: unknown) => current && setLookupError(reason instanceof Error ? reason.message : String(reason)),
    );
    return () => { current = false; };
  }, [email, round]);

  const toggle = (known: Account) => action.run(async () => setAccount(await setEnabled(known, !known.Enabled)));
  const reset = async () => {
    if (!confirm(t('users.detail.confirmReset', { email }))) return;
    setResetSent(false);
    const done = await action.run(() => api(`/admin/reset-user-password/${encodeURIComponent(email)}`, { method: 'POST' }));
    setResetSent(done);
    if (done) setRound((n) => n + 1);
  };

  return (
    <>
      <dl class="facts">
        <div>
          <dt>{t('users.enabled')}</dt>
          <dd data-testid="user-enabled">
            {account ? <span class={`badge ${account.Enabled ? 'ok' : 'bad'}`}>{account.Enabled ? t('users.isEnabled') : t('users.isDisabled')}</span>
              : account === null ? t('users.detail.notListed') : lookupError ? '–' : t('app.loading')}
          </dd>
        </div>
        <div>
          <dt>{t('users.accountStatus')}</dt>
          <dd>{account?.UserStatus ?? '–'}</dd>
        </div>
      </dl>
      <div class="actions-row">
        {account && (
          <button type="button" class={account.Enabled ? 'danger' : undefined} disabled={action.busy} onClick={() => toggle(account)}>
            {account.Enabled ? t('users.disable') : t('users.enable')}
          </button>
        )}
        <button type="button" disabled={action.busy} onClick={reset}>{t('users.detail.resetPassword')}</button>
      </div>
      <ActionError error={action.error ?? lookupError} />
      {resetSent && <div class="notice ok" role="status">{t('users.detail.resetSent', { email })}</div>}
    </>
  );
}
