import { randomUUID } from 'node:crypto';
import type { MeterValuesEvent } from '../../domain/bus.ts';
import { DECIMAL } from '../../domain/meterValues.ts';
import type { Wh } from '../../domain/units.ts';
import { toIsoTimestamp } from './timestamps.ts';

/**
 * The FlexiCharge MeterValues `values` object, both ways: the charger sends
 * `{chargingPercent, chargingPower, chargedSoFar}` instead of a meterValue list (read here
 * into a standard meterValue), and the original pushed that same frame to the apps' /user
 * sockets (written here from a session's summary). `chargedSoFar` means the same both ways:
 * Wh since the session began, so register = meterStart + chargedSoFar, and
 * chargedSoFar = register − meterStart, which is the session's energy.
 */

type Payload = Record<string, unknown>;

/**
 * The charger's `values` object as a standard meterValue, its readings as decimal text.
 * With meterStart 0 (all the real charger ever reports) the register is the charger's own
 * text, unchanged.
 */
export function meterValueOfValues(values: Payload, timestamp: unknown, meterStartWh: Wh) {
  const reading = (name: string) => {
    const entry = values[name];
    const value = entry && typeof entry === 'object' ? (entry as Payload).value : entry;
    return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? String(value) : undefined;
  };
  const chargedSoFar = reading('chargedSoFar');
  const register = meterStartWh > 0 && chargedSoFar !== undefined && DECIMAL.test(chargedSoFar) ? String(meterStartWh + Number(chargedSoFar)) : chargedSoFar;
  const sampledValue = [
    { measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: register },
    { measurand: 'Power.Active.Import', unit: 'W', value: reading('chargingPower') },
    { measurand: 'SoC', unit: 'Percent', value: reading('chargingPercent') },
  ]
    .filter((sample) => sample.value !== undefined)
    .map((sample) => ({ ...sample, context: 'Sample.Periodic' }));
  return { timestamp: toIsoTimestamp(timestamp) ?? new Date().toISOString(), sampledValue };
}

/**
 * The frame the original pushed to `/user/<id>` sockets (and Android parsed): a MeterValues
 * CALL whose `values` hold charge level, power and the energy so far, which for a
 * FlexiCharge charger is its own `chargedSoFar`.
 */
export function liveValuesFrame(event: MeterValuesEvent): string {
  const { summary } = event;
  return JSON.stringify([2, typeof event.messageId === 'string' && event.messageId.length <= 36 ? event.messageId : randomUUID(), 'MeterValues', {
    connectorId: event.connectorId,
    transactionId: summary.sessionId,
    timestamp: summary.sampledAt.getTime(),
    values: {
      chargingPercent: { value: summary.socPercent ?? 0, unit: '%', measurand: 'SoC' },
      chargingPower: { value: summary.powerW ?? 0, unit: 'W', measurand: 'Power.Active.Import' },
      chargedSoFar: { value: summary.energyWh, unit: 'Wh', measurand: 'Energy.Active.Import.Interval' },
    },
  }]);
}
