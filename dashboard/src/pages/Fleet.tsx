import { useMemo, useState } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { FleetCounts } from '../components/FleetCounts.tsx';
import { isFiltering, NO_FILTER, passes, UNPLACED, type FleetFilter } from '../components/fleetFilter.ts';
import { FleetFilters } from '../components/FleetFilters.tsx';
import { FleetList, type FleetGroup } from '../components/FleetList.tsx';
import { useFleetLive } from '../components/fleetLive.ts';
import { FleetMap } from '../components/FleetMap.tsx';
import { allChargers, countsOf, type Fleet as FleetData } from '../components/fleetModel.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { useApi } from '../data.ts';
import { t } from '../i18n/index.ts';

/** The chargers by charge point, then the unplaced ones, each with those `filter` lets through. */
function groupsOf(fleet: FleetData, filter: FleetFilter): FleetGroup[] {
  const groups: FleetGroup[] = fleet.chargePoints.map((site) => ({
    key: String(site.id),
    chargePointId: site.id,
    limitW: site.limitW,
    title: site.name,
    note: site.address,
    chargers: site.chargers,
    shown: site.chargers.filter((charger) => passes(filter, charger, site)),
  }));
  if (fleet.unplaced.length) {
    groups.push({
      key: UNPLACED,
      title: t('fleet.unplaced.title'),
      note: t('fleet.unplaced.note'),
      chargers: fleet.unplaced,
      shown: fleet.unplaced.filter((charger) => passes(filter, charger, null)),
    });
  }
  return groups;
}

// The filters stay as they were when the operator comes back from a charger's page.
let lastFilter: FleetFilter = NO_FILTER;

function FleetView({ fleet, reload }: { fleet: FleetData; reload: () => void }) {
  const [filter, setShownFilter] = useState<FleetFilter>(lastFilter);
  const setFilter = (next: FleetFilter) => {
    lastFilter = next;
    setShownFilter(next);
  };
  const chargers = useMemo(() => allChargers(fleet), [fleet]);
  const counts = useMemo(() => countsOf(chargers), [chargers]);
  const groups = useMemo(() => groupsOf(fleet, filter), [fleet, filter]);
  const shown = groups.reduce((sum, group) => sum + group.shown.length, 0);
  return (
    <>
      <FleetCounts counts={counts} />
      <div class="fleet-layout">
        <section class="fleet-where panel" aria-labelledby="fleet-where">
          <h2 id="fleet-where">{t('fleet.map.heading')}</h2>
          <FleetMap sites={fleet.chargePoints} />
        </section>
        <section class="fleet-what" aria-labelledby="fleet-what">
          <h2 id="fleet-what">{t('fleet.listHeading')}</h2>
          <FleetFilters filter={filter} onChange={setFilter} sites={fleet.chargePoints} hasUnplaced={fleet.unplaced.length > 0} />
          <p class="muted fleet-small" role="status">{t('fleet.showing', { shown, total: chargers.length })}</p>
          <FleetList groups={groups} showEmpty={!isFiltering(filter)} onCapacitySaved={reload} />
        </section>
      </div>
    </>
  );
}

/** The operator's home: every charge point and charger, how they are now, kept live. */
export function Fleet(_props: { params: Record<string, string> }) {
  const loaded = useApi<FleetData>('/fleet');
  useFleetLive(loaded);
  return (
    <>
      <PageHeader title={t('fleet.title')} />
      <Async loaded={loaded}>{(fleet) => <FleetView fleet={fleet} reload={loaded.reload} />}</Async>
    </>
  );
}
