import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { Async } from '../../components/Async.tsx';
import { useApi } from '../../data.ts';
import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { ActionError } from '../../components/ActionError.tsx';
import { CardStatus } from './CardStatus.tsx';
import type { UserCard } from './types.ts';
import { useAction } from '../../components/useAction.ts';

/** The RFID cards billed to a user: assign one, remove one. */
export function UserCards({ username }: { username: string }) {
  const base = `/admin/users/${encodeURIComponent(username)}/idTags`;
  const cards = useApi<UserCard[]>(base);
  const [idTag, setIdTag] = useState('');
  const action = useAction();

  const assign = async (event: Event) => {
    event.preventDefault();
    let card: UserCard | undefined;
    const done = await action.run(async () => {
      card = await api<UserCard>(base, { method: 'POST', body: { idTag: idTag.trim() } });
    });
    if (done && card) {
      const added = card;
      setIdTag('');
      cards.update((list) => [...list, added]);
    }
  };
  const remove = async (card: UserCard) => {
    if (!confirm(t('users.cards.confirmRemove', { idTag: card.idTag }))) return;
    const done = await action.run(() => api(`${base}/${encodeURIComponent(card.idTag)}`, { method: 'DELETE' }));
    if (done) cards.update((list) => list.filter((c) => c.idTag !== card.idTag));
  };

  return (
    <>
      <form class="filters" onSubmit={assign}>
        <label>
          {t('users.cards.idTag')}
          <input type="text" required maxLength={20} pattern="[\x21-\x7e]+" autoComplete="off" value={idTag}
            onInput={(event) => setIdTag(event.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={action.busy}>{t('users.cards.assign')}</button>
      </form>
      <ActionError error={action.error} />
      <Async loaded={cards}>
        {(list) => (list.length === 0 ? <p class="muted">{t('users.cards.none')}</p> : (
          <div class="table-wrap">
            <table aria-label={t('users.cards.heading')}>
              <thead>
                <tr>
                  <th scope="col">{t('users.cards.idTag')}</th>
                  <th scope="col">{t('users.cards.status')}</th>
                  <th scope="col">{t('users.cards.expires')}</th>
                  <th scope="col">{t('users.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((card) => (
                  <tr key={card.idTag}>
                    <td>{card.idTag}</td>
                    <td><CardStatus status={card.status} /></td>
                    <td>{card.expiresAt ? when(card.expiresAt) : t('common.never')}</td>
                    <td>
                      <button type="button" class="danger" disabled={action.busy} onClick={() => remove(card)}
                        aria-label={t('users.cards.removeCard', { idTag: card.idTag })}>{t('users.cards.remove')}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </Async>
    </>
  );
}
