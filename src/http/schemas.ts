import { Type } from '@sinclair/typebox';
import { CHARGER_STATUSES, type ChargerStatus } from '../domain/units.ts';

/** `[latitude, longitude]`, as the apps send and read it. */
export const LocationTuple = (errorCode: string) =>
  Type.Tuple(
    [
      Type.Number({ minimum: -90, maximum: 90, 'x-error-code': 'invalidLatitude', description: 'Latitude' }),
      Type.Number({ minimum: -180, maximum: 180, 'x-error-code': 'invalidLongitude', description: 'Longitude' }),
    ],
    { 'x-error-code': errorCode, description: '[latitude, longitude]' },
  );

export const ChargerStatusSchema = Type.Unsafe<ChargerStatus>({
  type: 'string',
  enum: [...CHARGER_STATUSES],
  'x-error-code': 'invalidStatus',
});

/** A database integer id taken from the path; the example is what Swagger UI fills in. */
export const IdParam = (errorCode: string, description: string, example?: number) =>
  Type.Object({
    id: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': errorCode, description, ...(example === undefined ? {} : { examples: [example] }) }),
  });

/** A charger named by its connectorID in a body or query (the original's `connectorID`). */
export const ChargerIdField = Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidconnectorID', description: 'The charger (connectorID)' });

/**
 * An OCPP connector of the charger named beside it, for a session or reservation; the
 * original's `connectorID` already names the charger, hence the longer name.
 */
export const OcppConnectorField = Type.Integer({
  minimum: 1, maximum: 2147483647, 'x-error-code': 'invalidOcppConnectorId',
  description: 'The charger\'s OCPP connector (1 and up, see `GET /chargers/{id}/connectors`); default 1',
});
