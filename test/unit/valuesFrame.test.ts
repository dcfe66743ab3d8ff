import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { latestReading } from '../../src/domain/meterValues.ts';
import { SessionSummaries } from '../../src/domain/sessions/summaries.ts';
import { ConnectionDialect } from '../../src/ocpp/dialect/connectionDialect.ts';
import { liveValuesFrame, meterValueOfValues } from '../../src/ocpp/dialect/valuesFrame.ts';
import { readMeterValues } from '../../src/ocpp/handlers/fields.ts';

/** The charger's MeterValues (clients.md A.3) with the energy it has charged since its StartTransaction. */
const meterValues = (chargedSoFar: unknown) => ({
  connectorId: 1, transactionId: 1, timestamp: 1795236129510,
  values: {
    chargingPercent: { value: 42, unit: '%', measurand: 'SoC' },
    chargingPower: { value: 7400, unit: 'W', measurand: 'Power.Active,Import' },
    chargedSoFar: { value: chargedSoFar, unit: 'Wh', measurand: 'Energy.Active.Import' },
  },
});
const start = (meterStart: unknown) => ({ connectorId: '1', id_tag: null, meterStart, timestamp: 1795236128.224635, reservationId: null });

const registerOf = (payload: Record<string, unknown>) => latestReading(readMeterValues(payload.meterValue, new Date(0)))?.registerWh;

describe('the FlexiCharge `values` object: chargedSoFar counts Wh since the session began', () => {
  it('is read as the register meterStart + chargedSoFar', () => {
    const dialect = new ConnectionDialect('flexicharge', ['ocpp1.6'], () => undefined);
    dialect.readRequest('StartTransaction', start(1000));
    expect(registerOf(dialect.readRequest('MeterValues', meterValues(500)))).toBe(1500);
    expect(registerOf(dialect.readRequest('MeterValues', meterValues('250.5')))).toBe(1250.5);
  });

  it('is the register itself after meterStart 0, which is all the real charger sends, or when no start was seen', () => {
    const dialect = new ConnectionDialect('flexicharge', ['ocpp1.6'], () => undefined);
    expect(registerOf(dialect.readRequest('MeterValues', meterValues(500)))).toBe(500);
    dialect.readRequest('StartTransaction', start(0));
    expect(registerOf(dialect.readRequest('MeterValues', meterValues(500)))).toBe(500);
  });

  it('counts from the latest start on that connector, and from 0 after a start whose meterStart is no meter reading', () => {
    const dialect = new ConnectionDialect('flexicharge', ['ocpp1.6'], () => undefined);
    dialect.readRequest('StartTransaction', start(1000));
    dialect.readRequest('StartTransaction', start(4000));
    expect(registerOf(dialect.readRequest('MeterValues', meterValues(500)))).toBe(4500);
    expect(registerOf(dialect.readRequest('MeterValues', { ...meterValues(500), connectorId: 2 }))).toBe(500);
    dialect.readRequest('StartTransaction', start(999.6));
    expect(registerOf(dialect.readRequest('MeterValues', meterValues(500)))).toBe(1500);
    for (const meterStart of [-5, '1000', null]) {
      dialect.readRequest('StartTransaction', start(1000));
      dialect.readRequest('StartTransaction', start(meterStart));
      expect(registerOf(dialect.readRequest('MeterValues', meterValues(500)))).toBe(500);
    }
  });

  it('keeps a chargedSoFar that is no decimal number as the charger wrote it, for the readers to skip', () => {
    expect(meterValueOfValues({ chargedSoFar: { value: '0x10' } }, 0, 1000).sampledValue).toEqual([
      { measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: '0x10', context: 'Sample.Periodic' },
    ]);
  });

  it('goes back out to the session owner\'s live frame as the charger\'s own chargedSoFar', async () => {
    const dialect = new ConnectionDialect('flexicharge', ['ocpp1.6'], () => undefined);
    dialect.readRequest('StartTransaction', start(1000));
    const reading = latestReading(readMeterValues(dialect.readRequest('MeterValues', meterValues(500)).meterValue, new Date(0)))!;
    const summaries = new SessionSummaries({ submit: async () => undefined }, 60_000, pino({ level: 'silent' }));
    const { summary } = summaries.record({ id: 7, userId: 3, meterStartWh: 1000 }, reading);
    await summaries.close();
    const frame = JSON.parse(liveValuesFrame({ chargerId: 100009, connectorId: 1, messageId: '100009MeterValues1795236129510', summary }));
    expect(frame).toEqual([2, '100009MeterValues1795236129510', 'MeterValues', {
      connectorId: 1, transactionId: 7, timestamp: 1795236129510,
      values: {
        chargingPercent: { value: 42, unit: '%', measurand: 'SoC' },
        chargingPower: { value: 7400, unit: 'W', measurand: 'Power.Active.Import' },
        chargedSoFar: { value: 500, unit: 'Wh', measurand: 'Energy.Active.Import.Interval' },
      },
    }]);
  });
});
