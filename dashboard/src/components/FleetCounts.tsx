import { kW, num } from '../format.ts';
import { t } from '../i18n/index.ts';
import type { FleetCounts as Counts } from './fleetModel.ts';

/** The fleet at a glance: how many chargers are online, charging, faulted, and the power drawn. */
export function FleetCounts({ counts }: { counts: Counts }) {
  const tiles: [string, string, string][] = [
    ['online', t('fleet.counts.online'), `${num(counts.online)} / ${num(counts.total)}`],
    [counts.offline ? 'offline' : '', t('fleet.counts.offline'), num(counts.offline)],
    ['charging', t('fleet.counts.charging'), num(counts.charging)],
    [counts.faulted ? 'faulted' : '', t('fleet.counts.faulted'), num(counts.faulted)],
    ['', t('fleet.counts.power'), kW(counts.powerW ?? 0)],
  ];
  return (
    <section aria-label={t('fleet.counts.label')}>
      <dl class="fleet-counts">
        {tiles.map(([tone, label, value]) => (
          <div key={label} class={`fleet-count ${tone}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
