import { Type } from '@sinclair/typebox';
import { REGISTRATION_STATUSES, type RegistrationStatus } from '../../db/schema.ts';
import { readFleet, readFleetCharger, type FleetCharger } from '../../domain/fleet.ts';
import type { App, HttpContext } from '../context.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';
import { SEED_CHARGE_POINTS } from '../../db/seedData.ts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description === undefined ? {} : { description });
const Time = Type.String({ format: 'date-time' });

const FleetSessionJson = Type.Object({
  sessionId: Type.Integer(),
  connectorId: Type.Integer({ description: 'The OCPP connector it runs on (0 when the charger named none)' }),
  energyWh: Type.Integer({ description: 'Energy so far, as last stored (running sessions are stored every LIVEMETRICS_DB_UPDATE_INTERVAL)' }),
  powerW: nullable(Type.Integer(), 'The last reported power'),
  startedAt: nullable(Time),
}, { description: 'A running session (Charging, or Stopping: a refused card the charger has yet to stop)' });

const FleetConnectorJson = Type.Object({
  connectorId: Type.Integer({ description: '0 is the charger as a whole' }),
  status: nullable(Type.String(), 'The last StatusNotification\'s status (OCPP ChargePointStatus); null before any'),
  errorCode: nullable(Type.String(), 'The last StatusNotification\'s errorCode'),
  statusAt: nullable(Time, 'When the charger says that status began'),
});

const fleetChargerProperties = {
  id: Type.Integer({ description: 'The charger (connectorID)' }),
  serialNumber: Type.String({ description: 'Its OCPP identity' }),
  chargePointId: nullable(Type.Integer(), 'The charge point it stands at; null for a self-registered charger not placed yet'),
  status: Type.String({ description: 'OCPP ChargePointStatus of the charger as the apps see it' }),
  registrationStatus: Type.Unsafe<RegistrationStatus>({ type: 'string', enum: [...REGISTRATION_STATUSES], description: 'What its BootNotification is answered' }),
  online: Type.Boolean({ description: 'Whether a node holds its connection right now' }),
  lastSeenAt: nullable(Time, 'When it last sent anything'),
  dialect: Type.Union([Type.Literal('ocpp1.6'), Type.Literal('flexicharge')], { description: 'OCPP 1.6-J, or the FlexiCharge legacy dialect' }),
  vendor: nullable(Type.String(), 'From its BootNotification'),
  model: nullable(Type.String(), 'From its BootNotification'),
  firmwareVersion: nullable(Type.String(), 'From its BootNotification'),
  latitude: nullable(Type.Number()),
  longitude: nullable(Type.Number()),
  powerW: nullable(Type.Integer(), 'The sum of its running sessions\' last reported power; null when none reported any'),
  sessions: Type.Array(FleetSessionJson),
  connectors: Type.Array(FleetConnectorJson),
};
const FleetChargerJson = Type.Object(fleetChargerProperties, { $id: 'FleetCharger', description: 'A charger as the operator dashboard shows it' });

const airport = SEED_CHARGE_POINTS[0];
const CHARGER_EXAMPLE = {
  id: 100001, serialNumber: 'abc111', chargePointId: airport.id, status: 'Charging', registrationStatus: 'Accepted' as const, online: true,
  lastSeenAt: '2026-06-02T08:15:00.000Z', dialect: 'ocpp1.6' as const, vendor: 'Elecq', model: 'AU101', firmwareVersion: '1.4.2',
  latitude: airport.latitude, longitude: airport.longitude, powerW: 11000,
  sessions: [{ sessionId: 7, connectorId: 1, energyWh: 1234, powerW: 11000, startedAt: '2026-06-02T08:00:00.000Z' }],
  connectors: [
    { connectorId: 0, status: 'Available', errorCode: 'NoError', statusAt: '2026-06-02T07:59:00.000Z' },
    { connectorId: 1, status: 'Charging', errorCode: 'NoError', statusAt: '2026-06-02T08:00:00.000Z' },
  ],
};
const UNPLACED_EXAMPLE = {
  ...CHARGER_EXAMPLE, id: 100010, serialNumber: 'EVB-P1234567', chargePointId: null, status: 'Available', registrationStatus: 'Pending' as const,
  latitude: null, longitude: null, powerW: null, sessions: [], connectors: [{ connectorId: 1, status: 'Available', errorCode: 'NoError', statusAt: '2026-06-02T08:10:00.000Z' }],
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

function fleetChargerJson(charger: FleetCharger) {
  return {
    ...charger,
    lastSeenAt: iso(charger.lastSeenAt),
    sessions: charger.sessions.map((session) => ({ ...session, startedAt: iso(session.startedAt) })),
    connectors: charger.connectors.map((connector) => ({ ...connector, statusAt: iso(connector.statusAt) })),
  };
}

/** The fleet at a glance for the operator dashboard: every charge point with its chargers, and one charger. */
export function fleetRoutes({ db, guards }: HttpContext) {
  return async (app: App) => {
    app.addSchema(FleetChargerJson);
    const FleetChargerRef = Type.Ref(FleetChargerJson);

    app.get('/fleet', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getFleet', tag: TAG.dashboard, access: 'admin', summary: 'Every charger with its presence, connectors and running sessions',
        description: 'The charge points with their chargers, and the chargers at no charge point (`unplaced`: self-registered, waiting for an admin). '
          + 'Each charger comes with its connectors\' last status and its running sessions (energy and power as last stored). '
          + 'Read it again on every `hello` of `GET /live/fleet`, whose events keep it current meanwhile.',
      }, {
        response: {
          200: json('The fleet', Type.Object({
            chargePoints: Type.Array(Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              address: Type.String(),
              latitude: Type.Number(),
              longitude: Type.Number(),
              limitW: nullable(Type.Number(), 'The most its chargers may draw together (see `GET /chargePoints/{id}/load`); null: no limit'),
              chargers: Type.Array(FleetChargerRef),
            })),
            unplaced: Type.Array(FleetChargerRef, { description: 'Chargers at no charge point' }),
          }), {
            chargePoints: [{ id: airport.id, name: airport.name, address: airport.address, latitude: airport.latitude, longitude: airport.longitude, limitW: 36_570, chargers: [CHARGER_EXAMPLE] }],
            unplaced: [UNPLACED_EXAMPLE],
          }),
        },
      }),
    }, async () => {
      const { chargePoints, unplaced } = await readFleet(db);
      return {
        chargePoints: chargePoints.map(({ limit, ...point }) => ({ ...point, limitW: limit, chargers: point.chargers.map(fleetChargerJson) })),
        unplaced: unplaced.map(fleetChargerJson),
      };
    });

    app.get('/fleet/chargers/:id', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getFleetCharger', tag: TAG.dashboard, access: 'admin', summary: 'One charger as `GET /fleet` shows it, with its charge point\'s name',
        description: 'The charger\'s presence, identity, connectors and running sessions, and the name of the charge point it stands at.',
        errors: {
          400: { description: '`id` is not a connectorID (an integer)', codes: ['invalidconnectorID', 'invalidDataType'], message: 'params/id must be integer' },
          404: 'No charger has this connectorID',
        },
      }, {
        params: IdParam('invalidconnectorID', 'connectorID of the charger', 100001),
        response: {
          200: json('The charger', Type.Object({
            ...fleetChargerProperties,
            chargePointName: nullable(Type.String(), 'The name of its charge point; null when it stands at none'),
          }), { ...CHARGER_EXAMPLE, chargePointName: airport.name }),
        },
      }),
    }, async (request) => {
      const charger = await readFleetCharger(db, request.params.id);
      return { ...fleetChargerJson(charger), chargePointName: charger.chargePointName };
    });
  };
}
