import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, query } from '../../api.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { onLive } from '../../live.ts';
import { PagedFooter } from './PagedFooter.tsx';
import type { StatusEntry } from './types.ts';
import { usePaged } from './usePaged.ts';

const PAGE = 25;

/** Every StatusNotification the charger sent, newest first; read again when it sends one. */
export function StatusHistory({ chargerId }: { chargerId: number }) {
  const [errorsOnly, setErrorsOnly] = useState(false);
  const read = useCallback(async (before: number | null) => {
    const items = await api<StatusEntry[]>(`/chargers/${chargerId}/status-history${query({ errorsOnly: errorsOnly || undefined, limit: PAGE, before })}`);
    return { items, next: items.length === PAGE ? items[items.length - 1]!.id : null };
  }, [chargerId, errorsOnly]);
  const paged = usePaged(read);
  const { reload } = paged;

  useEffect(() => onLive('status', (event) => event.chargerId === chargerId && reload()), [chargerId, reload]);

  return (
    <section class="panel" aria-labelledby="charger-status-history">
      <h2 id="charger-status-history">{t('charger.history.heading')}</h2>
      <div class="filters">
        <label class="inline">
          <input type="checkbox" checked={errorsOnly} onChange={(e) => setErrorsOnly(e.currentTarget.checked)} />
          {t('charger.history.errorsOnly')}
        </label>
      </div>
      {paged.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('charger.history.at')}</th>
                <th scope="col">{t('charger.connector')}</th>
                <th scope="col">{t('charger.status')}</th>
                <th scope="col">{t('charger.errorCode')}</th>
                <th scope="col">{t('charger.history.info')}</th>
              </tr>
            </thead>
            <tbody>
              {paged.items.map((entry) => (
                <tr key={entry.id} class={entry.errorCode !== 'NoError' || entry.status === 'Faulted' ? 'error-row' : undefined}>
                  <td>{when(entry.statusAt)}</td>
                  <td>{entry.connectorId === 0 ? t('charger.wholeCharger') : entry.connectorId}</td>
                  <td><StatusBadge status={entry.status} /></td>
                  <td>{entry.errorCode}</td>
                  <td class="wrap">{[entry.info, entry.vendorId, entry.vendorErrorCode].filter(Boolean).join(' · ') || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagedFooter paged={paged} />
    </section>
  );
}
