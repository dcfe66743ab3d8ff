import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { describeError } from './errors.ts';
import type { ConfigurationKey } from './types.ts';

interface Props {
  chargerId: number;
  entry: ConfigurationKey;
  /** Called with the outcome of a change, to show above the table and read the configuration again. */
  onChanged: (outcome: { ok: boolean; text: string }) => void;
}

/** One configuration key; a writable one can be changed in place (ChangeConfiguration). */
export function ConfigurationKeyRow({ chargerId, entry, onChanged }: Props) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (editing) input.current?.focus();
  }, [editing]);

  const close = () => {
    setEditing(false);
    // The edit button is back once the form is gone.
    setTimeout(() => editButton.current?.focus());
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const answer = await api<{ key: string; value: string; status: string }>(
        `/chargers/${chargerId}/configuration/${encodeURIComponent(entry.key)}`, { method: 'PUT', body: { value } },
      );
      onChanged({ ok: answer.status === 'Accepted' || answer.status === 'RebootRequired', text: t('charger.config.answer', { key: entry.key, status: answer.status }) });
      close();
    } catch (error) {
      onChanged({ ok: false, text: t('charger.config.failed', { key: entry.key, message: describeError(error) }) });
    } finally {
      setBusy(false);
    }
  };

  const change = entry.lastChange;
  return (
    <tr>
      <th scope="row">{entry.key}</th>
      <td class="wrap config-value">
        {editing ? (
          <form class="inline-form" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && close()}>
            <input
              ref={input}
              value={value}
              maxLength={500}
              aria-label={t('charger.config.newValue', { key: entry.key })}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
            <button type="submit" class="primary" aria-disabled={busy}>{t('common.save')}</button>
            <button type="button" onClick={close}>{t('common.cancel')}</button>
          </form>
        ) : (entry.value ?? '–')}
      </td>
      <td>{entry.readonly === null ? '–' : entry.readonly ? t('common.yes') : t('common.no')}</td>
      <td class="wrap">{entry.desired ? `${entry.desired.value} (${t(entry.desired.source === 'charger' ? 'charger.config.forCharger' : 'charger.config.forSite')})` : '–'}</td>
      <td class="wrap">{change ? `${change.status} · ${change.value} · ${when(change.at)}${change.error ? ` · ${change.error}` : ''}` : '–'}</td>
      <td>
        {entry.readonly === true ? (
          <span class="muted">{t('charger.config.readOnly')}</span>
        ) : !editing && (
          <button
            type="button"
            ref={editButton}
            aria-label={t('charger.config.editKey', { key: entry.key })}
            onClick={() => { setValue(entry.value ?? ''); setEditing(true); }}
          >
            {t('charger.config.edit')}
          </button>
        )}
      </td>
    </tr>
  );
}
