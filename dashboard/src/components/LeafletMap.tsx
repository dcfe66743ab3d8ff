import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { positionOf, worstState, type FleetChargePoint } from './fleetModel.ts';
import { stateName } from './fleetNames.ts';
import { SiteSummary } from './SiteSummary.tsx';

/** Tile errors before the first tile loads after which the tiles are taken for unreachable. */
const ERRORS_TO_GIVE_UP = 3;
/** No tile loaded by then: unreachable too (a network that swallows requests answers no error). */
const GIVE_UP_AFTER_MS = 8_000;

interface Props {
  sites: FleetChargePoint[];
  tileUrl: string;
  attribution: string;
  onTilesFailed: () => void;
}

interface Mark {
  marker: L.CircleMarker;
  /** The popup's content, which Preact renders into. */
  content: HTMLElement;
  stateClass: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Enter or Space on a focused marker opens its popup and moves into it; Escape there comes back. */
function makeKeyboardReachable(mark: Mark): void {
  // The SVG renderer draws each marker as a path.
  const element = mark.marker.getElement() as SVGElement | undefined;
  if (!element) return;
  element.setAttribute('tabindex', '0');
  element.setAttribute('role', 'button');
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    mark.marker.openPopup();
    mark.content.querySelector('a')?.focus();
  });
  mark.content.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    mark.marker.closePopup();
    element.focus();
  });
}

/** The sites on a Leaflet map, as circles coloured by their worst charger's state; `onTilesFailed` when no tile comes. */
export function LeafletMap({ sites, tileUrl, attribution, onTilesFailed }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const marks = useRef(new Map<number, Mark>());
  const framed = useRef('');
  const failed = useRef(onTilesFailed);
  failed.current = onTilesFailed;

  useEffect(() => {
    const created = L.map(box.current!, { zoomControl: true, attributionControl: true });
    map.current = created;
    let loads = 0;
    let errors = 0;
    let gaveUp = false;
    const giveUp = () => {
      if (gaveUp) return;
      gaveUp = true;
      failed.current();
    };
    const tiles = L.tileLayer(tileUrl, { attribution: escapeHtml(attribution), maxZoom: 19 })
      .on('tileload', () => { loads++; })
      .on('tileerror', () => { if (++errors >= ERRORS_TO_GIVE_UP && loads === 0) giveUp(); })
      .addTo(created);
    const timer = setTimeout(() => { if (loads === 0) giveUp(); }, GIVE_UP_AFTER_MS);
    // The layout puts the map beside or above the list depending on the width.
    const resize = new ResizeObserver(() => created.invalidateSize());
    resize.observe(box.current!);
    const current = marks.current;
    return () => {
      clearTimeout(timer);
      resize.disconnect();
      tiles.off();
      for (const mark of current.values()) render(null, mark.content);
      current.clear();
      framed.current = '';
      created.remove();
      map.current = null;
    };
  }, [tileUrl, attribution]);

  useEffect(() => {
    const shown = map.current;
    if (!shown) return;
    const placed = sites.flatMap((site) => {
      const position = positionOf(site);
      return position ? [{ site, at: L.latLng(position.latitude, position.longitude) }] : [];
    });
    // The view is fitted to the sites when they first show and when sites come or go, not on every live change.
    // It is set before the markers are added: Leaflet draws them (and they can be made focusable) only on a map with a view.
    const key = placed.map((p) => `${p.site.id}@${p.at.lat},${p.at.lng}`).join('|');
    if (key !== framed.current && placed.length) {
      framed.current = key;
      if (placed.length === 1) shown.setView(placed[0]!.at, 14);
      else shown.fitBounds(L.latLngBounds(placed.map((p) => p.at)), { padding: [30, 30], maxZoom: 15 });
    }
    const current = marks.current;
    for (const [id, mark] of current) {
      if (placed.some((p) => p.site.id === id)) continue;
      render(null, mark.content);
      mark.marker.remove();
      current.delete(id);
    }
    for (const { site, at } of placed) {
      const state = worstState(site.chargers);
      const stateClass = `state-${state ?? 'empty'}`;
      let mark = current.get(site.id);
      if (!mark) {
        const content = document.createElement('div');
        const marker = L.circleMarker(at, { radius: 10, weight: 2, fillOpacity: 0.9, className: `site-mark ${stateClass}` })
          .bindPopup(content)
          .addTo(shown);
        mark = { marker, content, stateClass };
        current.set(site.id, mark);
        makeKeyboardReachable(mark);
      } else {
        mark.marker.setLatLng(at);
        if (mark.stateClass !== stateClass) {
          mark.marker.getElement()?.classList.replace(mark.stateClass, stateClass);
          mark.stateClass = stateClass;
        }
      }
      mark.marker.getElement()?.setAttribute('aria-label', `${site.name}: ${stateName(state)}`);
      render(<SiteSummary site={site} state={state} />, mark.content);
    }
  }, [sites, tileUrl, attribution]);

  return <div class="fleet-map" ref={box} role="region" aria-label={t('fleet.map.label')} />;
}
