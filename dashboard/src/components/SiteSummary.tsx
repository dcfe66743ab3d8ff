import { t } from '../i18n/index.ts';
import { href } from '../router.ts';
import { stateOf, type FleetChargePoint, type FleetCharger, type State } from './fleetModel.ts';
import { StateWord } from './StateWord.tsx';

const chargerWords = (charger: FleetCharger) => (charger.online ? charger.status : `${charger.status} · ${t('common.offline')}`);

/** A charge point, its state and its chargers with links to them: the map's popup and the plot's list entry. */
export function SiteSummary({ site, state }: { site: FleetChargePoint; state: State | null }) {
  return (
    <div class="site-summary">
      <div>
        <strong>{site.name}</strong> <StateWord state={state} />
      </div>
      {site.address && <div class="muted fleet-small">{site.address}</div>}
      {site.chargers.length === 0 ? (
        <div class="muted fleet-small">{t('fleet.emptySite')}</div>
      ) : (
        <ul class="site-chargers">
          {site.chargers.map((charger) => (
            <li key={charger.id}>
              <a href={href(`/chargers/${charger.id}`)}>{charger.serialNumber}</a>{' '}
              <StateWord state={stateOf(charger)} text={chargerWords(charger)} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
