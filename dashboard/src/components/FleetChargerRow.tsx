import { kW } from '../format.ts';
import { t } from '../i18n/index.ts';
import { href } from '../router.ts';
import { Ago } from './Ago.tsx';
import type { FleetCharger } from './fleetModel.ts';
import { dialectName } from './fleetNames.ts';
import { OnlineBadge, StatusBadge } from './StatusBadge.tsx';

const presenceWords = () => ({ online: t('common.online'), offline: t('common.offline') });

/** The connectors' states, told only when there is more than one outlet or one reports an error. */
function ConnectorNotes({ charger }: { charger: FleetCharger }) {
  const outlets = charger.connectors.filter((c) => c.connectorId > 0);
  const errors = charger.connectors.filter((c) => c.errorCode && c.errorCode !== 'NoError');
  if (outlets.length < 2 && errors.length === 0) return null;
  return (
    <ul class="fleet-connectors">
      {charger.connectors.filter((c) => c.connectorId > 0 || (c.errorCode && c.errorCode !== 'NoError')).map((c) => (
        <li key={c.connectorId} class={c.errorCode && c.errorCode !== 'NoError' ? 'error' : undefined}>
          {t('fleet.connector', { id: c.connectorId, status: c.status ?? '–' })}
          {c.errorCode && c.errorCode !== 'NoError' ? ` · ${c.errorCode}` : ''}
        </li>
      ))}
    </ul>
  );
}

/** One charger of the fleet list: what it is, how it is, and a link to its page. */
export function FleetChargerRow({ charger }: { charger: FleetCharger }) {
  const hardware = [charger.vendor, charger.model].filter(Boolean).join(' ');
  return (
    <tr data-testid={`charger-${charger.id}`}>
      <th scope="row" data-label={t('fleet.columns.charger')}>
        <a href={href(`/chargers/${charger.id}`)}>{charger.serialNumber}</a>
        <div class="muted fleet-small">{t('fleet.chargerId', { id: charger.id })} · {dialectName(charger.dialect)}</div>
      </th>
      <td data-label={t('fleet.columns.status')}>
        <StatusBadge status={charger.status} />
        {charger.registrationStatus !== 'Accepted' && (
          <span class="badge warn fleet-registration">{t(`fleet.registration.${charger.registrationStatus}`)}</span>
        )}
        <ConnectorNotes charger={charger} />
      </td>
      <td data-label={t('fleet.columns.presence')}>
        <span data-testid="presence"><OnlineBadge online={charger.online} labels={presenceWords()} /></span>
        <div class="muted fleet-small">
          {t('fleet.lastSeen')} <Ago iso={charger.lastSeenAt} fallback={t('common.never')} />
        </div>
      </td>
      <td data-label={t('fleet.columns.power')} class="fleet-power">
        {charger.sessions.length ? kW(charger.powerW) : '–'}
      </td>
      <td data-label={t('fleet.columns.hardware')} class="wrap">
        {hardware || '–'}
        {charger.firmwareVersion && <div class="muted fleet-small">{t('fleet.firmware', { version: charger.firmwareVersion })}</div>}
      </td>
    </tr>
  );
}
