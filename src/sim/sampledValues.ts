import type { MeterReading } from './meter.ts';

export const SUPPORTED_MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'SoC'] as const;
export type Measurand = (typeof SUPPORTED_MEASURANDS)[number];
export type ReadingContext = 'Sample.Periodic' | 'Transaction.Begin' | 'Transaction.End' | 'Trigger';

export interface SampledValue {
  value: string;
  context: ReadingContext;
  format: 'Raw';
  measurand: Measurand;
  location: 'Outlet' | 'EV';
  unit: 'Wh' | 'W' | 'Percent';
}

export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

/**
 * One standard OCPP 1.6 meter value of the measurands asked for (configuration key
 * MeterValuesSampledData). The state of charge is the car's, so it is left out without a car.
 */
export function meterValue(reading: MeterReading, measurands: readonly Measurand[], context: ReadingContext, carConnected: boolean, at = new Date()): MeterValue {
  const sample = (measurand: Measurand, value: number, unit: SampledValue['unit'], location: SampledValue['location']): SampledValue => ({
    value: String(value), context, format: 'Raw', measurand, location, unit,
  });
  const all: Record<Measurand, SampledValue | undefined> = {
    'Energy.Active.Import.Register': sample('Energy.Active.Import.Register', reading.registerWh, 'Wh', 'Outlet'),
    'Power.Active.Import': sample('Power.Active.Import', reading.powerW, 'W', 'Outlet'),
    SoC: carConnected ? sample('SoC', reading.socPercent, 'Percent', 'EV') : undefined,
  };
  return { timestamp: at.toISOString(), sampledValue: measurands.flatMap((m) => all[m] ?? []) };
}
