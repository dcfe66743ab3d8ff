import { useEffect } from 'preact/hooks';
import { Async } from '../../components/Async.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import type { Loaded } from '../../data.ts';
import { ago, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { onLive } from '../../live.ts';
import type { Connector } from './types.ts';
import { useNow } from './useNow.ts';

/** Applies StatusNotifications to the connectors as they arrive (the page reads them once). */
export function useLiveConnectors(chargerId: number, loaded: Loaded<Connector[]>): void {
  const { update } = loaded;
  useEffect(() => onLive('status', (event) => {
    if (event.chargerId !== chargerId) return;
    update((connectors) => {
      const changed = { status: event.status, errorCode: event.errorCode, statusAt: event.at, receivedAt: event.at };
      const known = connectors.some((c) => c.connectorId === event.connectorId);
      return known
        ? connectors.map((c) => (c.connectorId === event.connectorId ? { ...c, ...changed } : c))
        : [...connectors, { connectorId: event.connectorId, info: null, vendorId: null, vendorErrorCode: null, ...changed }]
          .sort((a, b) => a.connectorId - b.connectorId);
    });
  }), [chargerId, update]);
}

/** Each connector's last reported status. */
export function Connectors({ loaded }: { loaded: Loaded<Connector[]> }) {
  const now = useNow();
  return (
    <section class="panel" aria-labelledby="charger-connectors">
      <h2 id="charger-connectors">{t('charger.connectors.heading')}</h2>
      <Async loaded={loaded}>
        {(connectors) => connectors.length === 0 ? <p class="muted">{t('charger.connectors.none')}</p> : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('charger.connector')}</th>
                  <th scope="col">{t('charger.status')}</th>
                  <th scope="col">{t('charger.errorCode')}</th>
                  <th scope="col">{t('charger.connectors.since')}</th>
                </tr>
              </thead>
              <tbody>
                {connectors.map((connector) => (
                  <tr key={connector.connectorId} data-testid={`connector-${connector.connectorId}`}>
                    <td>{connector.connectorId === 0 ? t('charger.wholeCharger') : connector.connectorId}</td>
                    <td><StatusBadge status={connector.status} /></td>
                    <td class="wrap">
                      {connector.errorCode ?? '–'}
                      {connector.info && <span class="muted"> · {connector.info}</span>}
                      {connector.vendorErrorCode && <span class="muted"> · {connector.vendorErrorCode}</span>}
                    </td>
                    <td><span title={when(connector.statusAt)}>{ago(connector.statusAt, now)}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}
