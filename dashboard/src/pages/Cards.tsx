import { useMemo, useState } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useApi } from '../data.ts';
import { t } from '../i18n/index.ts';
import { CardTable } from './users/CardTable.tsx';
import { CreateCardForm } from './users/CreateCardForm.tsx';
import type { Card } from './users/types.ts';

const sameTag = (a: Card, b: Card) => a.idTag.toUpperCase() === b.idTag.toUpperCase();

/** Whether the card's tag, owner id, parent tag or status contain `text`. */
function matches(card: Card, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return true;
  return [card.idTag, card.userID ?? '', card.parentIdTag ?? '', card.status].some((value) => value.toLowerCase().includes(wanted));
}

/** Every RFID card: register, search, block or unblock, remove. */
export function Cards(_props: { params: Record<string, string> }) {
  const cards = useApi<Card[]>('/idTags');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const shown = useMemo(() => cards.data?.filter((card) => matches(card, search)), [cards.data, search]);
  const { update } = cards;

  return (
    <>
      <PageHeader title={t('users.cards.title')}>
        <button type="button" aria-expanded={creating} aria-controls="create-card" onClick={() => setCreating(!creating)}>
          {creating ? t('common.close') : t('users.cards.open')}
        </button>
      </PageHeader>
      {creating && <div id="create-card"><CreateCardForm onCreated={(card) => update((list) => [...list, card])} /></div>}
      <div class="filters" role="search">
        <label>
          {t('users.cards.search')}
          <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
      </div>
      <Async loaded={cards}>
        {() => (
          <CardTable
            cards={shown ?? []}
            onChange={(card) => update((list) => list.map((c) => (sameTag(c, card) ? card : c)))}
            onRemove={(card) => update((list) => list.filter((c) => !sameTag(c, card)))}
          />
        )}
      </Async>
    </>
  );
}
