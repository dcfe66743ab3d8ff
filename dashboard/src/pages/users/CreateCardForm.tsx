import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';
import { ActionError } from '../../components/ActionError.tsx';
import type { Card, Profile } from './types.ts';
import { useAction } from '../../components/useAction.ts';

const EMPTY = { idTag: '', user: '', parentIdTag: '', expires: '' };

/** The owner's numeric id: given as such, or looked up by e-mail address (the server's message when unknown). */
async function userIdOf(user: string): Promise<number | undefined> {
  const text = user.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  return Number((await api<Profile>(`/admin/users/${encodeURIComponent(text)}`)).userId);
}

/** The end of `date` (yyyy-mm-dd) in local time, as ISO: a card expiring on a day works through it. */
const endOfDay = (date: string) => (date ? new Date(`${date}T23:59:59.999`).toISOString() : undefined);

/** Registers an RFID card, optionally for a user, under a parent tag and with an expiry. */
export function CreateCardForm({ onCreated }: { onCreated: (card: Card) => void }) {
  const [fields, setFields] = useState(EMPTY);
  const action = useAction();
  const field = (key: keyof typeof EMPTY) => ({
    value: fields[key],
    onInput: (event: Event) => setFields({ ...fields, [key]: (event.currentTarget as HTMLInputElement).value }),
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    let card: Card | undefined;
    const done = await action.run(async () => {
      const body = {
        idTag: fields.idTag.trim(),
        userID: await userIdOf(fields.user),
        parentIdTag: fields.parentIdTag.trim() || undefined,
        expiresAt: endOfDay(fields.expires),
      };
      card = await api<Card>('/idTags', { method: 'POST', body });
    });
    if (done && card) {
      setFields(EMPTY);
      onCreated(card);
    }
  };

  return (
    <form class="panel section" aria-labelledby="new-card" onSubmit={submit}>
      <h2 id="new-card">{t('users.cards.createHeading')}</h2>
      <div class="filters">
        <label>{t('users.cards.idTag')}<input type="text" required maxLength={20} pattern="[\x21-\x7e]+" autoComplete="off" {...field('idTag')} /></label>
        <label>{t('users.cards.owner')}<input type="text" autoComplete="off" {...field('user')} /></label>
        <label>{t('users.cards.parent')}<input type="text" maxLength={20} pattern="[\x21-\x7e]+" autoComplete="off" {...field('parentIdTag')} /></label>
        <label>{t('users.cards.expires')}<input type="date" {...field('expires')} /></label>
        <button type="submit" class="primary" disabled={action.busy}>{t('users.cards.create')}</button>
      </div>
      <p class="muted">{t('users.cards.ownerHint')}</p>
      <ActionError error={action.error} />
    </form>
  );
}
