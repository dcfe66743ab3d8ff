import { Ajv } from 'ajv';

const reading = (unit: string) => ({
  type: 'object',
  required: ['value', 'unit', 'measurand'],
  properties: { value: { type: 'number' }, unit: { const: unit }, measurand: { type: 'string', minLength: 1 } },
});

/**
 * The MeterValues frame a user socket receives, `[2, id, "MeterValues", {connectorId,
 * transactionId, timestamp, values: {chargingPercent, chargingPower, chargedSoFar}}]`: the
 * shape the original's user mock checked and the Android app parses.
 */
const LIVE_METER_VALUES_FRAME = {
  type: 'array',
  minItems: 4,
  maxItems: 4,
  items: [
    { const: 2 },
    { type: 'string', minLength: 1, maxLength: 36 },
    { const: 'MeterValues' },
    {
      type: 'object',
      required: ['connectorId', 'transactionId', 'timestamp', 'values'],
      properties: {
        connectorId: { type: 'integer', minimum: 0 },
        transactionId: { type: 'integer', minimum: 1 },
        timestamp: { type: 'integer', minimum: 0 },
        values: {
          type: 'object',
          required: ['chargingPercent', 'chargingPower', 'chargedSoFar'],
          properties: { chargingPercent: reading('%'), chargingPower: reading('W'), chargedSoFar: reading('Wh') },
        },
      },
    },
  ],
};

const validate = new Ajv({ allErrors: true, strict: false }).compile(LIVE_METER_VALUES_FRAME);

/** Undefined when `frame` has the live MeterValues shape, else what is wrong with it. */
export function liveFrameProblem(frame: unknown): string | undefined {
  if (validate(frame)) return undefined;
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(frame)'} ${error.message ?? 'is invalid'}`).join('; ');
}
