import { Type } from '@sinclair/typebox';
import { CHARGER_STATUSES, type ChargerStatus } from '../domain/units.ts';

/** Every error answer: the original's code(s) plus a message the apps can show. */
export const ErrorBody = Type.Object(
  {
    status: Type.Integer(),
    code: Type.String(),
    message: Type.String(),
    errorCodes: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'ErrorBody' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref(ErrorBody)]));

/** `[latitude, longitude]`, as the apps send and read it. */
export const LocationTuple = (errorCode: string) =>
  Type.Tuple(
    [
      Type.Number({ minimum: -90, maximum: 90, 'x-error-code': 'invalidLatitude' }),
      Type.Number({ minimum: -180, maximum: 180, 'x-error-code': 'invalidLongitude' }),
    ],
    { 'x-error-code': errorCode, description: '[latitude, longitude]' },
  );

export const ChargerStatusSchema = Type.Unsafe<ChargerStatus>({
  type: 'string',
  enum: [...CHARGER_STATUSES],
  'x-error-code': 'invalidStatus',
});

/** A database integer id taken from the path. */
export const IdParam = (errorCode: string, description: string) =>
  Type.Object({ id: Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': errorCode, description }) });

export const bearer = [{ bearerAuth: [] }];


/** A charger named by its connectorID in a body or query (the original's `connectorID`). */
export const ChargerIdField = Type.Integer({ minimum: 0, maximum: 2147483647, 'x-error-code': 'invalidconnectorID', description: 'The charger (connectorID)' });
