import type { Dialect, FleetChargePoint, FleetCharger } from './fleetModel.ts';

/** The fleet page's filters; an empty string lets everything through. */
export interface FleetFilter {
  status: string;
  presence: '' | 'online' | 'offline';
  dialect: '' | Dialect;
  /** A charge point's id, or `unplaced`. */
  site: string;
  search: string;
}

export const NO_FILTER: FleetFilter = { status: '', presence: '', dialect: '', site: '', search: '' };

export const UNPLACED = 'unplaced';

export const isFiltering = (filter: FleetFilter) =>
  filter.status !== '' || filter.presence !== '' || filter.dialect !== '' || filter.site !== '' || filter.search.trim() !== '';

/** Whether `charger`, at `site` (null when unplaced), passes `filter`. */
export function passes(filter: FleetFilter, charger: FleetCharger, site: FleetChargePoint | null): boolean {
  if (filter.status && charger.status !== filter.status) return false;
  if (filter.presence && charger.online !== (filter.presence === 'online')) return false;
  if (filter.dialect && charger.dialect !== filter.dialect) return false;
  if (filter.site && filter.site !== (site ? String(site.id) : UNPLACED)) return false;
  const words = filter.search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [charger.serialNumber, String(charger.id), charger.vendor, charger.model, site?.name, site?.address]
    .filter(Boolean).join(' ').toLowerCase();
  return words.every((word) => text.includes(word));
}
