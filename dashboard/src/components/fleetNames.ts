import { t } from '../i18n/index.ts';
import type { Dialect, State } from './fleetModel.ts';

/** How a charger dialect is called on screen. */
export const dialectName = (dialect: Dialect | string) =>
  dialect === 'ocpp1.6' ? t('fleet.dialects.ocpp16') : dialect === 'flexicharge' ? t('fleet.dialects.flexicharge') : dialect;

/** The word for a charger's or site's state (null: a site without chargers). */
export const stateName = (state: State | null) => t(`fleet.states.${state ?? 'empty'}`);
