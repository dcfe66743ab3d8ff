import type { AlignedData } from 'uplot';

/** One hour's price as GET /tariffs answers it. */
export interface Tariff {
  startsAt: string;
  pricePerKwhOre: number;
  currency: string;
}

const HOUR_S = 3600;

/**
 * The chart's points for hourly prices drawn as steps: each price holds for its hour. The
 * last hour before a gap (and the last of all) gets an end point so its step is drawn to the
 * hour's end, then a null so no line crosses hours without a price.
 */
export function tariffSteps(hours: Tariff[], scale: (ore: number) => number): AlignedData {
  const times: number[] = [];
  const values: (number | null)[] = [];
  hours.forEach((hour, index) => {
    const start = Date.parse(hour.startsAt) / 1000;
    const value = scale(hour.pricePerKwhOre);
    times.push(start);
    values.push(value);
    const next = hours[index + 1];
    if (!next || Date.parse(next.startsAt) / 1000 !== start + HOUR_S) {
      times.push(start + HOUR_S);
      values.push(value);
      if (next) {
        times.push(start + HOUR_S + 1);
        values.push(null);
      }
    }
  });
  return [times, values];
}
