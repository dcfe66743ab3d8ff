/**
 * The original FlexiCharge sites and chargers. Each charger keeps the original's
 * connectorID, serial number and charge point, and takes its coordinates from that
 * charge point (the original copied them from other sites).
 */
export const SEED_CHARGE_POINTS = [
  { id: 1, name: 'Airport Parking, Jönköping', address: 'Flygplansvägen', latitude: 57.749812214261034, longitude: 14.070100435207065, pricePerKwhOre: 399 },
  { id: 2, name: 'Jönköping University', address: 'Gjuterigatan 5', latitude: 57.777714, longitude: 14.16301, pricePerKwhOre: 349 },
  { id: 3, name: 'Nässjö Centralstation', address: 'Järnvägsgatan 26', latitude: 57.652328901782795, longitude: 14.694810832097543, pricePerKwhOre: 379 },
  { id: 4, name: 'Coop, Forserum', address: 'Jönköpingsvägen 2', latitude: 57.70022044183724, longitude: 14.475150415104222, pricePerKwhOre: 329 },
] as const;

/** Amount held on the user's payment method when a session starts: 300 SEK. */
export const SEED_RESERVATION_AMOUNT_ORE = 30000;

export const SEED_CHARGERS = [
  { id: 100000, serialNumber: 'testchargeralwaysconnected', chargePointId: 1 },
  { id: 100001, serialNumber: 'abc111', chargePointId: 1 },
  { id: 100002, serialNumber: 'abc112', chargePointId: 1 },
  { id: 100003, serialNumber: 'abc113', chargePointId: 1 },
  { id: 100004, serialNumber: 'abc114', chargePointId: 2 },
  { id: 100005, serialNumber: 'abc115', chargePointId: 2 },
  { id: 100006, serialNumber: 'abc116', chargePointId: 3 },
  { id: 100007, serialNumber: 'abc117', chargePointId: 4 },
  { id: 100008, serialNumber: 'abc118', chargePointId: 4 },
  { id: 100009, serialNumber: 'abc119', chargePointId: 4 },
] as const;

const HOUR_MS = 3_600_000;

/**
 * Sample hourly spot prices (öre/kWh) shaped like a Swedish SE3 day: cheap nights,
 * morning and evening peaks, cheaper weekends. They stand in until real prices are
 * imported and are documented as sample data.
 */
export function sampleTariffs(from: Date, to: Date): { startsAt: Date; priceOre: number }[] {
  const PROFILE = [42, 40, 38, 38, 40, 48, 78, 124, 142, 118, 96, 88, 84, 82, 86, 98, 128, 152, 146, 118, 92, 74, 60, 50];
  const first = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  const tariffs: { startsAt: Date; priceOre: number }[] = [];
  for (let t = first; t < to.getTime(); t += HOUR_MS) {
    const stockholm = new Date(t + HOUR_MS);
    const day = Math.floor(t / (24 * HOUR_MS));
    const weekend = stockholm.getUTCDay() === 0 || stockholm.getUTCDay() === 6;
    const dayVariation = ((day * 37) % 21) - 10;
    const base = PROFILE[stockholm.getUTCHours()]!;
    tariffs.push({ startsAt: new Date(t), priceOre: Math.max(5, Math.round((weekend ? base * 0.8 : base) + dayVariation)) });
  }
  return tariffs;
}
