import { SEED_CHARGE_POINTS, SEED_CHARGERS, SEED_RESERVATION_AMOUNT_ORE } from '../db/seedData.ts';

/**
 * Examples for the OpenAPI document, taken from the seed data (the original's sites and
 * chargers), so that what Swagger UI shows and sends is what a fresh server holds.
 */

const site = (id: number) => SEED_CHARGE_POINTS.find((chargePoint) => chargePoint.id === id)!;

/** A seeded charge point as the API answers it. */
export function seedChargePoint(id: 1 | 2 | 3 | 4) {
  const { name, address, latitude, longitude, pricePerKwhOre } = site(id);
  return {
    chargePointID: id,
    name,
    address,
    location: [latitude, longitude],
    price: pricePerKwhOre,
    klarnaReservationAmount: SEED_RESERVATION_AMOUNT_ORE,
    sessionFee: 0,
  };
}

/** A seeded charger as the API answers it, connected and Available. */
export function seedCharger(connectorID: number) {
  const charger = SEED_CHARGERS.find((seeded) => seeded.id === connectorID)!;
  const { latitude, longitude } = site(charger.chargePointId);
  return {
    connectorID,
    serialNumber: charger.serialNumber,
    chargePointID: charger.chargePointId,
    location: [latitude, longitude],
    status: 'Available',
    online: true,
    lastSeen: '2025-06-02T08:15:00.000Z',
  };
}

/** The demo charger (100000, `testchargeralwaysconnected`) that the apps' demos use. */
export const DEMO_CHARGER_ID = SEED_CHARGERS[0].id;

/** The admin a fresh server creates (ADMIN_EMAIL's default), and an end user. */
export const EXAMPLE_ADMIN_EMAIL = 'admin@flexicharge.local';
export const EXAMPLE_USER_EMAIL = 'driver@example.com';

/** The sign-in examples: a user who signed up and verified, and that admin (the password is a stand-in for theirs). */
export const EXAMPLE_SIGN_IN = { username: EXAMPLE_USER_EMAIL, password: 'driver-password-1' };
export const EXAMPLE_ADMIN_SIGN_IN = { username: EXAMPLE_ADMIN_EMAIL, password: 'admin-password-1' };
