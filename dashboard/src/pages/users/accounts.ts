import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../../api.ts';
import type { Account, AccountPage } from './types.ts';

/** The most `GET /admin/users` gives at once. */
const PAGE_SIZE = 60;

const pageAfter = (token: string | undefined) => api<AccountPage>(`/admin/users${query({ limit: PAGE_SIZE, pagination_token: token })}`);

/** The user with this e-mail address, read page by page (the list is the only answer that has `Enabled`); null if none. */
export async function findAccount(email: string): Promise<Account | null> {
  const wanted = email.toLowerCase();
  let token: string | undefined;
  do {
    const page = await pageAfter(token);
    const hit = page.Users.find((user) => user.Username.toLowerCase() === wanted);
    if (hit) return hit;
    token = page.NextToken;
  } while (token);
  return null;
}

/** Turns an account's sign-in on or off (`PUT /admin/users/:username/enable|disable`); answers the changed account. */
export async function setEnabled(account: Account, enabled: boolean): Promise<Account> {
  await api(`/admin/users/${encodeURIComponent(account.Username)}/${enabled ? 'enable' : 'disable'}`, { method: 'PUT' });
  return { ...account, Enabled: enabled };
}

export interface AccountPages {
  accounts: Account[] | undefined;
  /** More users after the loaded ones. */
  more: boolean;
  error: Error | undefined;
  loading: boolean;
  loadMore: () => void;
  reload: () => void;
  /** Shows a change made on the server (or a user created: appended when the last page is loaded). */
  put: (account: Account) => void;
}

/** The users, oldest first, a page at a time. */
export function useAccountPages(): AccountPages {
  const [accounts, setAccounts] = useState<Account[] | undefined>(undefined);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  const read = useCallback((token: string | undefined) => {
    const mine = ++generation.current;
    setLoading(true);
    pageAfter(token).then(
      (page) => {
        if (mine !== generation.current) return;
        setAccounts((old) => (token === undefined ? page.Users : [...(old ?? []), ...page.Users]));
        setNext(page.NextToken);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (mine !== generation.current) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setLoading(false);
      },
    );
  }, []);

  const reload = useCallback(() => read(undefined), [read]);
  useEffect(reload, [reload]);

  const put = useCallback((account: Account) => setAccounts((old) => {
    if (!old) return old;
    const index = old.findIndex((a) => a.Username === account.Username);
    if (index >= 0) return old.map((a, i) => (i === index ? account : a));
    return next === undefined ? [...old, account] : old;
  }), [next]);

  return { accounts, more: next !== undefined, error, loading, loadMore: () => read(next), reload, put };
}
