import { api } from '../../api.ts';
import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { href } from '../../router.ts';
import { ActionError } from '../../components/ActionError.tsx';
import { CardStatus } from './CardStatus.tsx';
import { userPath, type Card } from './types.ts';
import { useAction } from '../../components/useAction.ts';

const cardPath = (card: Card) => `/idTags/${encodeURIComponent(card.idTag)}`;

/** The cards with their status; each can be blocked (a charger refuses it), unblocked or removed. */
export function CardTable({ cards, onChange, onRemove }: { cards: Card[]; onChange: (card: Card) => void; onRemove: (card: Card) => void }) {
  const action = useAction();
  const setBlocked = (card: Card, blocked: boolean) =>
    action.run(async () => onChange(await api<Card>(cardPath(card), { method: 'PUT', body: { status: blocked ? 'Blocked' : 'Accepted' } })));
  const remove = async (card: Card) => {
    if (!confirm(t('users.cards.confirmDelete', { idTag: card.idTag }))) return;
    if (await action.run(() => api(cardPath(card), { method: 'DELETE' }))) onRemove(card);
  };

  return (
    <>
      <ActionError error={action.error} />
      {cards.length === 0 ? <p class="muted">{t('common.noRows')}</p> : (
        <div class="table-wrap">
          <table aria-label={t('users.cards.title')}>
            <thead>
              <tr>
                <th scope="col">{t('users.cards.idTag')}</th>
                <th scope="col">{t('users.cards.status')}</th>
                <th scope="col">{t('users.cards.user')}</th>
                <th scope="col">{t('users.cards.parent')}</th>
                <th scope="col">{t('users.cards.expires')}</th>
                <th scope="col">{t('users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {cards.map((card) => {
                const blocked = card.status === 'Blocked';
                return (
                  <tr key={card.idTag} data-testid={`card-${card.idTag}`}>
                    <td>{card.idTag}</td>
                    <td><CardStatus status={card.status} /></td>
                    <td>{card.userID === null ? '–' : <a href={href(userPath(card.userID))}>{t('users.cards.userLink', { id: card.userID })}</a>}</td>
                    <td>{card.parentIdTag ?? '–'}</td>
                    <td>{card.expiresAt ? when(card.expiresAt) : t('common.never')}</td>
                    <td>
                      <div class="row-actions">
                      <button type="button" disabled={action.busy} onClick={() => setBlocked(card, !blocked)}
                        aria-label={t(blocked ? 'users.cards.unblockCard' : 'users.cards.blockCard', { idTag: card.idTag })}>
                        {blocked ? t('users.cards.unblock') : t('users.cards.block')}
                      </button>
                      <button type="button" class="danger" disabled={action.busy} onClick={() => remove(card)}
                        aria-label={t('users.cards.deleteCard', { idTag: card.idTag })}>{t('users.cards.delete')}</button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
