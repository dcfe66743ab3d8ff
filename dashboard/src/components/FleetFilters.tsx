import { t } from '../i18n/index.ts';
import { NO_FILTER, UNPLACED, isFiltering, type FleetFilter } from './fleetFilter.ts';
import { CHARGER_STATUSES, type FleetChargePoint } from './fleetModel.ts';
import { dialectName } from './fleetNames.ts';

interface Props {
  filter: FleetFilter;
  onChange: (filter: FleetFilter) => void;
  sites: FleetChargePoint[];
  hasUnplaced: boolean;
}

/** The fleet list's filters and search box. */
export function FleetFilters({ filter, onChange, sites, hasUnplaced }: Props) {
  const set = <K extends keyof FleetFilter>(key: K) => (event: Event) =>
    onChange({ ...filter, [key]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value as FleetFilter[K] });
  return (
    <form class="filters fleet-filters" role="search" aria-label={t('fleet.filters.label')} onSubmit={(event) => event.preventDefault()}>
      <label class="fleet-search">
        {t('fleet.filters.search')}
        <input type="search" value={filter.search} onInput={set('search')} placeholder={t('fleet.filters.searchHint')} />
      </label>
      <label>
        {t('fleet.filters.status')}
        <select value={filter.status} onChange={set('status')}>
          <option value="">{t('common.all')}</option>
          {CHARGER_STATUSES.map((status) => <option key={status} value={status}>{status}</option>)}
        </select>
      </label>
      <label>
        {t('fleet.filters.presence')}
        <select value={filter.presence} onChange={set('presence')}>
          <option value="">{t('common.all')}</option>
          <option value="online">{t('common.online')}</option>
          <option value="offline">{t('common.offline')}</option>
        </select>
      </label>
      <label>
        {t('fleet.filters.dialect')}
        <select value={filter.dialect} onChange={set('dialect')}>
          <option value="">{t('common.all')}</option>
          <option value="ocpp1.6">{dialectName('ocpp1.6')}</option>
          <option value="flexicharge">{dialectName('flexicharge')}</option>
        </select>
      </label>
      <label>
        {t('fleet.filters.site')}
        <select value={filter.site} onChange={set('site')}>
          <option value="">{t('common.all')}</option>
          {sites.map((site) => <option key={site.id} value={String(site.id)}>{site.name}</option>)}
          {hasUnplaced && <option value={UNPLACED}>{t('fleet.unplaced.title')}</option>}
        </select>
      </label>
      {isFiltering(filter) && <button type="button" onClick={() => onChange(NO_FILTER)}>{t('fleet.filters.clear')}</button>}
    </form>
  );
}
