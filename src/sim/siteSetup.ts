import { ChargerSimulator } from './simulator.ts';
import type { SiteCharger } from './siteRun.ts';

/** What a balanced site is made of, set up through the HTTP API as an operator would. */
export interface SiteSetupOptions {
  /** The HTTP API, e.g. http://127.0.0.1:8080. */
  api: string;
  /** An admin's access token. */
  token: string;
  name: string;
  /** The grid connection: current per phase, A, and phases. */
  maxCurrentA: number;
  phases: 1 | 3;
  chargers: number;
  /** Each charger's own maximum current per phase, A. */
  chargerMaxCurrentA: number;
  /** Serial numbers (OCPP identities) and RFID cards are this followed by the charger's number. */
  prefix: string;
}

export interface SiteSetup {
  chargePointId: number;
  chargers: { chargerId: number; serial: string; idTag: string }[];
}

const SITE_LOCATION = [57.7826, 14.1618];

async function send(options: SiteSetupOptions, method: string, path: string, body: object): Promise<any> {
  const response = await fetch(options.api + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * A new charge point with its grid connection, and new chargers there (standard OCPP 1.6,
 * as every charger added through the API starts) with their maximum current and one RFID
 * card each. Cards first: a charger that connects later finds them in its local list.
 */
export async function setUpSite(options: SiteSetupOptions): Promise<SiteSetup> {
  const site = await send(options, 'POST', '/chargePoints', { name: options.name, location: SITE_LOCATION });
  const chargePointId: number = site.chargePointID;
  await send(options, 'PUT', `/chargePoints/${chargePointId}/capacity`, { maxCurrentA: options.maxCurrentA, phases: options.phases });
  const chargers: SiteSetup['chargers'] = [];
  for (let n = 1; n <= options.chargers; n++) {
    const serial = `${options.prefix}${n}`;
    const idTag = `${options.prefix.toUpperCase()}${n}`;
    await send(options, 'POST', '/idTags', { idTag });
    const charger = await send(options, 'POST', '/chargers', { chargePointID: chargePointId, location: SITE_LOCATION, serialNumber: serial });
    await send(options, 'PUT', `/chargers/${charger.connectorID}/supply`, { maxCurrentA: options.chargerMaxCurrentA });
    chargers.push({ chargerId: charger.connectorID, serial, idTag });
  }
  return { chargePointId, chargers };
}

/** A standard OCPP 1.6 simulator per charger of the site, at `urlOf(serial)`: connected, booted and Available. */
export async function connectSite(setup: SiteSetup, urlOf: (serial: string) => string, options: { powerW: number; meterValueIntervalMs: number }): Promise<SiteCharger[]> {
  return Promise.all(setup.chargers.map(async ({ serial, idTag }) => {
    const simulator = new ChargerSimulator({ url: urlOf(serial), ...options });
    await simulator.connect();
    await simulator.boot();
    await simulator.statusNotification(1, 'Available');
    return { simulator, idTag };
  }));
}
