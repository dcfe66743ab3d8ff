import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';
import { ActionError } from '../../components/ActionError.tsx';
import type { Account } from './types.ts';
import { useAction } from '../../components/useAction.ts';

const EMPTY = { email: '', firstName: '', lastName: '' };

/** Creates a user; the server e-mails them a temporary password, which their first sign-in replaces. */
export function CreateUserForm({ onCreated }: { onCreated: (account: Account) => void }) {
  const [fields, setFields] = useState(EMPTY);
  const [created, setCreated] = useState<string | null>(null);
  const action = useAction();
  const field = (key: keyof typeof EMPTY) => ({
    value: fields[key],
    onInput: (event: Event) => setFields({ ...fields, [key]: (event.currentTarget as HTMLInputElement).value }),
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    setCreated(null);
    let account: Account | undefined;
    const done = await action.run(async () => {
      ({ User: account } = await api<{ User: Account }>('/admin/users', {
        method: 'POST',
        body: { username: fields.email.trim(), name: fields.firstName.trim(), family_name: fields.lastName.trim() },
      }));
    });
    if (done && account) {
      setCreated(account.Username);
      setFields(EMPTY);
      onCreated(account);
    }
  };

  return (
    <form class="panel section" aria-labelledby="new-user" onSubmit={submit}>
      <h2 id="new-user">{t('users.create.heading')}</h2>
      <p class="muted">{t('users.create.intro')}</p>
      <div class="filters">
        <label>{t('users.email')}<input type="email" required autoComplete="off" {...field('email')} /></label>
        <label>{t('users.firstName')}<input type="text" maxLength={100} {...field('firstName')} /></label>
        <label>{t('users.lastName')}<input type="text" maxLength={100} {...field('lastName')} /></label>
        <button type="submit" class="primary" disabled={action.busy}>{t('users.create.submit')}</button>
      </div>
      <ActionError error={action.error} />
      {created && <div class="notice ok" role="status">{t('users.create.done', { email: created })}</div>}
    </form>
  );
}
