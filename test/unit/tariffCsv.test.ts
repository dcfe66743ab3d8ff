import { describe, expect, it } from 'vitest';
import { parseTariffCsv } from '../../src/domain/tariffCsv.ts';

const hour = (iso: string) => new Date(iso);

describe('tariff CSV as spreadsheets export it', () => {
  it('reads quoted fields, a BOM, CRLF and comments', () => {
    const csv = '\uFEFF"start","price_sek_per_kwh"\r\n# from the spot market\r\n"2026-12-01T00:00:00Z","0.8734"\r\n"2026-12-01T01:00:00Z",1.005\r\n';
    expect(parseTariffCsv(csv)).toEqual([
      { startsAt: hour('2026-12-01T00:00:00Z'), pricePerKwhOre: 87, currency: 'SEK' },
      { startsAt: hour('2026-12-01T01:00:00Z'), pricePerKwhOre: 101, currency: 'SEK' },
    ]);
  });

  it('reads semicolons with decimal commas, and quoted decimal commas with commas', () => {
    expect(parseTariffCsv('start;price\n2026-12-01T00:00:00Z;1,25\n').map((t) => t.pricePerKwhOre)).toEqual([125]);
    expect(parseTariffCsv('start,price_sek_per_kwh\n2026-12-01T00:00:00Z,"1,25"\n').map((t) => t.pricePerKwhOre)).toEqual([125]);
    expect(parseTariffCsv('start,price_ore\n2026-12-01T00:00:00Z,42.5\n').map((t) => t.pricePerKwhOre)).toEqual([43]);
  });

  it('names the line that is wrong', () => {
    expect(() => parseTariffCsv('start,price\n2026-12-01T00:00:00Z,1\n\nyesterday,2\n')).toThrow('Line 4: "yesterday,2" is not "start,price"');
    expect(() => parseTariffCsv('start,price\n2026-12-01T00:00:00Z,\n')).toThrow('Line 2');
    expect(() => parseTariffCsv('start,price\n"2026-12-01T00:00:00Z,1\n')).toThrow(/Line \d/);
    expect(() => parseTariffCsv('when,what\n')).toThrow('The first line must be');
  });
});
