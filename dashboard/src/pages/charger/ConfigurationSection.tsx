import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { Async } from '../../components/Async.tsx';
import { useApi } from '../../data.ts';
import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { ConfigurationKeyRow } from './ConfigurationKeyRow.tsx';
import { describeError } from './errors.ts';
import { Field } from './Field.tsx';
import type { Configuration } from './types.ts';

/** The charger's OCPP configuration as last reported, read again from the charger on demand, one key changed at a time. */
export function ConfigurationSection({ chargerId }: { chargerId: number }) {
  const loaded = useApi<Configuration>(`/chargers/${chargerId}/configuration`);
  const [filter, setFilter] = useState('');
  const [refreshing, setRefreshing] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  const refresh = async () => {
    if (refreshing) return;
    setRefreshing(true);
    setOutcome(null);
    try {
      const answer = await api<Configuration>(`/chargers/${chargerId}/configuration?refresh=true`);
      loaded.update(() => answer);
      setOutcome({ ok: true, text: t('charger.config.refreshed', { count: answer.keys.length }) });
    } catch (error) {
      setOutcome({ ok: false, text: t('charger.config.refreshFailed', { message: describeError(error) }) });
    } finally {
      setRefreshing(false);
    }
  };

  const changed = (result: { ok: boolean; text: string }) => {
    setOutcome(result);
    loaded.reload();
  };

  const needle = filter.trim().toLowerCase();
  return (
    <section class="panel" aria-labelledby="charger-config">
      <h2 id="charger-config">{t('charger.config.heading')}</h2>
      <div class="filters">
        <Field label={t('charger.config.filter')}>{(id) => (
          <input id={id} type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        )}</Field>
        <button type="button" onClick={refresh} aria-disabled={refreshing}>
          {refreshing ? t('charger.config.refreshing') : t('charger.config.refresh')}
        </button>
      </div>
      {outcome && <p class={`notice ${outcome.ok ? 'ok' : 'error'}`} role="status">{outcome.text}</p>}
      <Async loaded={loaded}>
        {(configuration) => (
          <>
            <p class="muted">
              {t('charger.config.readAt', { at: when(configuration.readAt) })}
              {configuration.rebootRequired && <> · <strong>{t('charger.config.rebootRequired')}</strong></>}
              {configuration.unknownKeys.length > 0 && <> · {t('charger.config.unknownKeys', { keys: configuration.unknownKeys.join(', ') })}</>}
            </p>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('charger.config.key')}</th>
                    <th scope="col">{t('charger.config.value')}</th>
                    <th scope="col">{t('charger.config.readOnly')}</th>
                    <th scope="col">{t('charger.config.desired')}</th>
                    <th scope="col">{t('charger.config.lastChange')}</th>
                    <th scope="col" aria-label={t('charger.config.edit')} />
                  </tr>
                </thead>
                <tbody>
                  {configuration.keys
                    .filter((entry) => !needle || entry.key.toLowerCase().includes(needle))
                    .map((entry) => <ConfigurationKeyRow key={entry.key} chargerId={chargerId} entry={entry} onChanged={changed} />)}
                </tbody>
              </table>
            </div>
            {configuration.keys.length === 0 && <p class="muted">{t('charger.config.none')}</p>}
          </>
        )}
      </Async>
    </section>
  );
}
