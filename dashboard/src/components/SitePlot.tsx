import { t } from '../i18n/index.ts';
import { positionOf, worstState, type FleetChargePoint } from './fleetModel.ts';
import { SiteSummary } from './SiteSummary.tsx';

const WIDTH = 400;
const HEIGHT = 280;
const PAD = 36;
const KM_PER_DEGREE = 111.32;
const SCALE_STEPS_KM = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

interface Point {
  site: FleetChargePoint;
  number: number;
  x: number;
  y: number;
}

/**
 * The sites placed by latitude and longitude in the box (longitude shrunk by the cosine of the
 * latitude, as on a map, so that distances look right), and SVG units per km.
 */
function project(sites: FleetChargePoint[]): { points: Point[]; unitsPerKm: number | null } {
  const placed = sites.flatMap((site) => {
    const position = positionOf(site);
    return position ? [{ site, ...position }] : [];
  });
  if (placed.length === 0) return { points: [], unitsPerKm: null };
  const lats = placed.map((p) => p.latitude);
  const shrink = Math.cos((((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI) / 180);
  const xs = placed.map((p) => p.longitude * shrink);
  const minX = Math.min(...xs);
  const maxY = Math.max(...lats);
  const spanX = Math.max(...xs) - minX;
  const spanY = maxY - Math.min(...lats);
  const scale = spanX === 0 && spanY === 0 ? null
    : Math.min(spanX ? (WIDTH - 2 * PAD) / spanX : Infinity, spanY ? (HEIGHT - 2 * PAD) / spanY : Infinity);
  const points = placed.map((p, index) => ({
    site: p.site,
    number: index + 1,
    x: scale === null ? WIDTH / 2 : WIDTH / 2 + (xs[index]! - minX - spanX / 2) * scale,
    y: scale === null ? HEIGHT / 2 : HEIGHT / 2 + (maxY - p.latitude - spanY / 2) * scale,
  }));
  return { points, unitsPerKm: scale === null ? null : scale / KM_PER_DEGREE };
}

function ScaleBar({ unitsPerKm }: { unitsPerKm: number }) {
  const km = [...SCALE_STEPS_KM].reverse().find((step) => step * unitsPerKm <= WIDTH / 4);
  if (km === undefined) return null;
  const length = km * unitsPerKm;
  const y = HEIGHT - 14;
  return (
    <g class="plot-scale">
      <path d={`M12 ${y - 5}V${y}H${12 + length}V${y - 5}`} />
      <text x={16 + length} y={y}>{t('fleet.map.km', { km })}</text>
    </g>
  );
}

const shortName = (name: string) => (name.length > 24 ? `${name.slice(0, 23)}…` : name);

/** Where the sites are without map tiles: an SVG of their positions, and the sites as a list with links. */
export function SitePlot({ sites }: { sites: FleetChargePoint[] }) {
  const { points, unitsPerKm } = project(sites);
  const numbers = new Map(points.map((p) => [p.site.id, p.number]));
  return (
    <div class="site-plot">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('fleet.map.plotLabel', { count: points.length })}>
        <rect class="plot-ground" x="0" y="0" width={WIDTH} height={HEIGHT} rx="6" />
        <text class="plot-north" x={WIDTH - 14} y="20" text-anchor="end">{t('fleet.map.north')}</text>
        {unitsPerKm !== null && <ScaleBar unitsPerKm={unitsPerKm} />}
        {points.map(({ site, number, x, y }) => {
          const left = x > WIDTH * 0.62;
          return (
            <g key={site.id} class={`plot-site state-${worstState(site.chargers) ?? 'empty'}`}>
              <circle cx={x} cy={y} r="11" />
              <text class="plot-number" x={x} y={y + 4} text-anchor="middle">{number}</text>
              <text class="plot-label" x={left ? x - 16 : x + 16} y={y + 4} text-anchor={left ? 'end' : 'start'}>{shortName(site.name)}</text>
            </g>
          );
        })}
      </svg>
      {points.length === 0 && <p class="muted fleet-small">{t('fleet.map.noPositions')}</p>}
      <ol class="site-list" aria-label={t('fleet.map.sites')}>
        {sites.map((site) => (
          <li key={site.id}>
            <span class="site-number" aria-hidden="true">{numbers.get(site.id) ?? '–'}</span>
            <div>
              <SiteSummary site={site} state={worstState(site.chargers)} />
              {!numbers.has(site.id) && <div class="muted fleet-small">{t('fleet.map.noPosition')}</div>}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
