import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { SiteCapacityForm } from './capacity/SiteCapacityForm.tsx';
import { FleetChargerRow } from './FleetChargerRow.tsx';
import { loadOf, worstState, type FleetCharger } from './fleetModel.ts';
import { SiteLoadGlance } from './siteLoad/SiteLoadGlance.tsx';
import { SiteLoadPanel } from './siteLoad/SiteLoadPanel.tsx';
import { StateWord } from './StateWord.tsx';

/** A charge point's chargers, or the unplaced ones, as the list shows them. */
export interface FleetGroup {
  key: string;
  title: string;
  /** The address, or what the group is. */
  note: string;
  /** The charge point's id; none for the unplaced chargers. */
  chargePointId?: number;
  /** The most the charge point's chargers may draw together; null or none: no limit. */
  limitW?: number | null;
  /** All the group's chargers (its state and counts) and those the filters let through (its rows). */
  chargers: FleetCharger[];
  shown: FleetCharger[];
}

/** A site's grid connection, read only once the operator opens it. */
function SiteCapacity({ chargePointId, onSaved }: { chargePointId: number; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="site-capacity" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t('capacity.siteSummary')}</summary>
      {open && <SiteCapacityForm chargePointId={chargePointId} onSaved={onSaved} />}
    </details>
  );
}

function Group({ group, onCapacitySaved }: { group: FleetGroup; onCapacitySaved: () => void }) {
  const online = group.chargers.filter((c) => c.online).length;
  const headingId = `fleet-group-${group.key}`;
  return (
    <section class="fleet-group" aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>{group.title}</h3>
        <StateWord state={worstState(group.chargers)} />
        <p class="muted fleet-small">
          {group.note}
          {group.note && ' · '}
          {t('fleet.groupCounts', { chargers: group.chargers.length, online })}
        </p>
        {group.chargePointId !== undefined && group.limitW != null && (
          <SiteLoadGlance name={group.title} loadW={loadOf(group.chargers) ?? 0} limitW={group.limitW} />
        )}
        {group.chargePointId !== undefined && <SiteCapacity chargePointId={group.chargePointId} onSaved={onCapacitySaved} />}
        {group.chargePointId !== undefined && group.limitW != null && (
          <SiteLoadPanel site={{ chargePointId: group.chargePointId, name: group.title, chargerIds: group.chargers.map((charger) => charger.id) }} />
        )}
      </header>
      {group.shown.length === 0 ? (
        <p class="muted">{t('fleet.emptySite')}</p>
      ) : (
        <div class="table-wrap">
          <table class="fleet-table">
            <thead>
              <tr>
                <th scope="col">{t('fleet.columns.charger')}</th>
                <th scope="col">{t('fleet.columns.status')}</th>
                <th scope="col">{t('fleet.columns.presence')}</th>
                <th scope="col">{t('fleet.columns.power')}</th>
                <th scope="col">{t('fleet.columns.hardware')}</th>
              </tr>
            </thead>
            <tbody>
              {group.shown.map((charger) => <FleetChargerRow key={charger.id} charger={charger} />)}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The chargers grouped by charge point; groups without a charger to show are left out unless `showEmpty`.
 * `onCapacitySaved`: a site's grid connection changed (and with it, whether and how its load is shown).
 */
export function FleetList({ groups, showEmpty, onCapacitySaved }: { groups: FleetGroup[]; showEmpty: boolean; onCapacitySaved: () => void }) {
  if (groups.length === 0) return <p class="notice">{t('fleet.nothingYet')}</p>;
  const visible = groups.filter((group) => group.shown.length > 0 || (showEmpty && group.chargers.length === 0));
  if (visible.length === 0) return <p class="notice">{t('fleet.noMatch')}</p>;
  return <div class="fleet-groups">{visible.map((group) => <Group key={group.key} group={group} onCapacitySaved={onCapacitySaved} />)}</div>;
}
