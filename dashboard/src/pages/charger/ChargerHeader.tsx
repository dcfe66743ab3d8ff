import { OnlineBadge, StatusBadge } from '../../components/StatusBadge.tsx';
import { ago, kW, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import type { ChargerDetail } from './types.ts';
import { useNow } from './useNow.ts';

/** Who the charger is, where it stands and how it is now. */
export function ChargerHeader({ charger }: { charger: ChargerDetail }) {
  const now = useNow();
  const vendorModel = [charger.vendor, charger.model].filter(Boolean).join(' · ');
  return (
    <section class="panel" aria-label={t('charger.header.label')}>
      <dl class="facts charger-facts">
        <div>
          <dt>{t('charger.header.presence')}</dt>
          <dd data-testid="charger-presence">
            <OnlineBadge online={charger.online} labels={{ online: t('common.online'), offline: t('common.offline') }} />
          </dd>
        </div>
        <div><dt>{t('charger.status')}</dt><dd><StatusBadge status={charger.status} /></dd></div>
        <div><dt>{t('charger.header.serial')}</dt><dd>{charger.serialNumber}</dd></div>
        <div><dt>{t('charger.header.id')}</dt><dd>{charger.id}</dd></div>
        <div><dt>{t('charger.header.site')}</dt><dd>{charger.chargePointName ?? t('charger.header.noSite')}</dd></div>
        <div>
          <dt>{t('charger.header.lastSeen')}</dt>
          <dd>{charger.lastSeenAt ? <time dateTime={charger.lastSeenAt} title={when(charger.lastSeenAt)}>{ago(charger.lastSeenAt, now)}</time> : t('common.never')}</dd>
        </div>
        <div><dt>{t('charger.header.dialect')}</dt><dd>{charger.dialect === 'flexicharge' ? t('charger.header.dialectLegacy') : t('charger.header.dialectOcpp')}</dd></div>
        <div><dt>{t('charger.header.vendorModel')}</dt><dd>{vendorModel || '–'}</dd></div>
        <div><dt>{t('charger.header.firmware')}</dt><dd>{charger.firmwareVersion ?? '–'}</dd></div>
        <div><dt>{t('charger.header.registration')}</dt><dd>{charger.registrationStatus}</dd></div>
        <div><dt>{t('charger.header.power')}</dt><dd>{kW(charger.powerW)}</dd></div>
      </dl>
    </section>
  );
}
