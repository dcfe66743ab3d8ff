import { kW, num } from '../../format.ts';
import { t, type StringKey } from '../../i18n/index.ts';
import { href } from '../../router.ts';
import { OnlineBadge } from '../StatusBadge.tsx';
import type { SiteLoadConnector } from './types.ts';

const LIMITED_BY = ['charger', 'demand', 'site', 'plan', 'minimum', 'unsupported', 'offline', 'unanswered'];

/** What set a connector's limit, in words; a reason this dashboard does not know yet as the server gave it. */
const limitedByWords = (reason: string | null) => (reason === null ? '–' : LIMITED_BY.includes(reason) ? t(`balancing.limitedBy.${reason}` as StringKey) : reason);

const amperes = (value: number | null, none: string) => (value === null ? none : `${num(value)} A`);

/** The site's running sessions, each with the limit the balancer gave its connector and the power it draws. */
export function SiteLoadTable({ connectors }: { connectors: SiteLoadConnector[] }) {
  if (connectors.length === 0) return <p class="muted">{t('balancing.noSessions')}</p>;
  const presence = { online: t('common.online'), offline: t('common.offline') };
  return (
    <div class="table-wrap">
      <table class="fleet-table site-load-table">
        <thead>
          <tr>
            <th scope="col">{t('balancing.columns.charger')}</th>
            <th scope="col" class="num">{t('balancing.columns.priority')}</th>
            <th scope="col" class="num">{t('balancing.columns.allocated')}</th>
            <th scope="col" class="num">{t('balancing.columns.inForce')}</th>
            <th scope="col">{t('balancing.columns.status')}</th>
            <th scope="col">{t('balancing.columns.limitedBy')}</th>
            <th scope="col" class="num">{t('balancing.columns.power')}</th>
          </tr>
        </thead>
        <tbody>
          {connectors.map((connector) => (
            <tr key={connector.sessionID} data-testid="site-load-row" data-charger={connector.chargerID} data-power-w={connector.powerW ?? ''}>
              <th scope="row" data-label={t('balancing.columns.charger')}>
                <a href={href(`/chargers/${connector.chargerID}`)}>{connector.serialNumber}</a>
                <div class="muted fleet-small">
                  {t('balancing.connector', { id: connector.connectorID })} · <OnlineBadge online={connector.online} labels={presence} />
                  {connector.smartCharging === 'unsupported' && ` · ${t('balancing.noSmartCharging')}`}
                </div>
              </th>
              <td class="num" data-label={t('balancing.columns.priority')}>{connector.priority}</td>
              <td class="num" data-label={t('balancing.columns.allocated')}>{amperes(connector.allocatedCurrentA, t('balancing.notAllocated'))}</td>
              <td class="num" data-label={t('balancing.columns.inForce')}>{amperes(connector.inForceCurrentA, t('balancing.itsMaximum', { max: num(connector.maxCurrentA) }))}</td>
              <td data-label={t('balancing.columns.status')}>{connector.status === null ? '–' : t(`balancing.statuses.${connector.status}`)}</td>
              <td data-label={t('balancing.columns.limitedBy')}>{limitedByWords(connector.limitedBy)}</td>
              <td class="num" data-label={t('balancing.columns.power')}>{kW(connector.powerW)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
