import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { positionOf, STATES, type FleetChargePoint } from './fleetModel.ts';
import { LeafletMap } from './LeafletMap.tsx';
import { SitePlot } from './SitePlot.tsx';
import { StateWord } from './StateWord.tsx';

/** `GET /dashboard/config.json`: where the map tiles come from (an empty URL: no map). */
interface MapConfig {
  tileUrl: string;
  tileAttribution: string;
}

let config: Promise<MapConfig> | null = null;
// Once the tiles failed, the plot is shown for the rest of the visit rather than trying again on every visit of the page.
let tilesFailed = false;

function mapConfig(): Promise<MapConfig> {
  config ??= fetch('/dashboard/config.json')
    .then((response) => (response.ok ? (response.json() as Promise<MapConfig>) : { tileUrl: '', tileAttribution: '' }))
    .catch(() => ({ tileUrl: '', tileAttribution: '' }));
  return config;
}

function Legend() {
  return (
    <ul class="fleet-legend" aria-label={t('fleet.map.legend')}>
      {STATES.filter((state) => state !== 'unknown').map((state) => <li key={state}><StateWord state={state} /></li>)}
    </ul>
  );
}

/** Where the charge points are: a map when its tiles load, else the sites plotted by position. */
export function FleetMap({ sites }: { sites: FleetChargePoint[] }) {
  const [tiles, setTiles] = useState<MapConfig | null>(null);
  const [failed, setFailed] = useState(tilesFailed);

  useEffect(() => {
    let current = true;
    void mapConfig().then((value) => { if (current) setTiles(value); });
    return () => { current = false; };
  }, []);

  const giveUp = () => {
    tilesFailed = true;
    setFailed(true);
  };

  const anyPlaced = sites.some((site) => positionOf(site) !== null);
  let view;
  if (!tiles) view = <p class="muted" aria-busy="true">{t('fleet.map.loading')}</p>;
  else if (tiles.tileUrl && !failed && anyPlaced) {
    view = <LeafletMap sites={sites} tileUrl={tiles.tileUrl} attribution={tiles.tileAttribution} onTilesFailed={giveUp} />;
  } else {
    view = (
      <>
        {tiles.tileUrl && failed && <p class="muted fleet-small">{t('fleet.map.tilesFailed')}</p>}
        <SitePlot sites={sites} />
      </>
    );
  }
  return (
    <>
      {view}
      <Legend />
    </>
  );
}
