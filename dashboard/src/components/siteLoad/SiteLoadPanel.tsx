import { useMemo, useState } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { kW, num } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { Ago } from '../Ago.tsx';
import { Async } from '../Async.tsx';
import { TimeChart, type ChartSeries } from '../TimeChart.tsx';
import { SiteLoadTable } from './SiteLoadTable.tsx';
import type { SiteLoad } from './types.ts';
import { useSiteLoad, type LoadPoint } from './useSiteLoad.ts';

interface Site {
  chargePointId: number;
  name: string;
  chargerIds: readonly number[];
}

function Facts({ load }: { load: SiteLoad }) {
  const { L1, L2, L3 } = load.allocatedCurrentA;
  return (
    <dl class="facts site-load-facts">
      <div>
        <dt>{t('balancing.facts.load')}</dt>
        <dd data-testid="site-load-now" data-load-w={load.loadW}>{kW(load.loadW)}</dd>
      </div>
      <div>
        <dt>{t('balancing.facts.limit')}</dt>
        <dd>{load.limitW === null ? t('capacity.noLimit') : kW(load.limitW)}</dd>
      </div>
      <div>
        <dt>{t('balancing.facts.available')}</dt>
        <dd>{load.availableCurrentA === null ? t('capacity.noLimit') : t('balancing.perPhase', { current: num(load.availableCurrentA), phases: load.phases })}</dd>
      </div>
      <div>
        <dt>{t('balancing.facts.allocated')}</dt>
        <dd>{load.phases === 1 ? `${num(L1)} A` : t('balancing.phaseCurrents', { L1: num(L1), L2: num(L2), L3: num(L3) })}</dd>
      </div>
      <div>
        <dt>{t('balancing.facts.balanced')}</dt>
        <dd><Ago iso={load.balancedAt} fallback={t('balancing.notBalanced')} /></dd>
      </div>
    </dl>
  );
}

function LoadChart({ name, points, limitW }: { name: string; points: LoadPoint[]; limitW: number | null }) {
  const series = useMemo<ChartSeries[]>(() => [
    { label: t('balancing.load'), unit: 'kW', color: '#0b6bcb' },
    { label: t('balancing.limit'), unit: 'kW', color: '#c0392b' },
  ], []);
  const data = useMemo<AlignedData>(() => [
    points.map((point) => point.at / 1000),
    points.map((point) => point.loadW / 1000),
    points.map(() => (limitW === null ? null : limitW / 1000)),
  ], [points, limitW]);
  return <TimeChart title={t('balancing.chartTitle', { site: name, limit: kW(limitW) })} series={series} data={data} height={200} />;
}

/** The site's load now and over the last hour against its limit, and its running sessions with their limits. */
function SiteLoadView({ site }: { site: Site }) {
  const { snapshot, history, load, points } = useSiteLoad(site.chargePointId, site.chargerIds);
  return (
    <div class="site-load" data-testid="site-load">
      <Async loaded={snapshot}>{() => <Facts load={load!} />}</Async>
      <Async loaded={history}>{(data) => <LoadChart name={site.name} points={points} limitW={load?.limitW ?? data.limitW} />}</Async>
      <Async loaded={snapshot}>{() => <SiteLoadTable connectors={load!.connectors} />}</Async>
    </div>
  );
}

/** A site's load and balancing, read only once the operator opens it. */
export function SiteLoadPanel({ site }: { site: Site }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="site-capacity site-load-panel" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t('balancing.summary')}</summary>
      {open && <SiteLoadView site={site} />}
    </details>
  );
}
