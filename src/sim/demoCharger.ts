import type { Logger } from 'pino';
import { ChargerSimulator } from './simulator.ts';

/** The apps' demo charger: connectorID 100000 in the seed. */
export const DEMO_SERIAL = 'testchargeralwaysconnected';

/**
 * Plays the demo charger as the FlexiCharge charger would, so the apps' demo flow on
 * connector 100000 runs a real session (the original answered it with random data).
 */
export async function startDemoCharger(ocppUrl: string, logger: Logger): Promise<{ close(): Promise<void> }> {
  const simulator = new ChargerSimulator({
    url: `${ocppUrl}/charger/${DEMO_SERIAL}`,
    dialect: 'flexicharge',
    meterValueIntervalMs: 1000,
    powerW: 11_000,
  });
  simulator.on('warning', (message) => logger.debug({ message }, 'demo charger'));
  await simulator.connect();
  await simulator.boot();
  logger.info({ serial: DEMO_SERIAL }, 'demo charger connected');
  return { close: () => simulator.close() };
}
