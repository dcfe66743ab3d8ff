import { useMemo } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { TimeChart, type ChartSeries } from '../../components/TimeChart.tsx';
import { kWh, sek, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import type { PriceLine } from './types.ts';

const HOUR_S = 3600;

/** Each hour's price per kWh as steps, and the energy charged in it; one extra point closes the last hour. */
function chartData(hours: PriceLine[]): AlignedData {
  const times = hours.map((line) => new Date(line.hour).getTime() / 1000);
  const price = hours.map((line) => line.pricePerKwhOre / 100);
  const energy = hours.map((line) => line.energyWh / 1000);
  const last = times.at(-1)!;
  return [[...times, last + HOUR_S], [...price, price.at(-1)!], [...energy, energy.at(-1)!]];
}

/** The session's price, hour by hour (and its fees), once priced. */
export function PriceLines({ lines }: { lines: PriceLine[] }) {
  const hours = useMemo(() => lines.filter((line) => line.kind !== 'fee').sort((a, b) => a.hour.localeCompare(b.hour)), [lines]);
  const series: ChartSeries[] = useMemo(() => [
    { label: t('sessions.detail.priceSeries'), unit: t('sessions.detail.priceUnit'), color: '#1d7a3a', stepped: true },
    { label: t('sessions.detail.hourEnergySeries'), unit: 'kWh', color: '#0b6bcb', stepped: true },
  ], []);
  // One hour's step says nothing the table does not.
  const data = useMemo(() => (hours.length > 1 ? chartData(hours) : null), [hours]);
  if (lines.length === 0) return <p class="muted">{t('common.noRows')}</p>;
  return (
    <>
      {data && <TimeChart title={t('sessions.detail.priceChart')} series={series} data={data} height={200} />}
      <div class="table-wrap">
        <table aria-label={t('sessions.detail.pricePerHour')}>
          <thead>
            <tr>
              <th scope="col">{t('sessions.detail.hour')}</th>
              <th scope="col" class="num">{t('sessions.energy')}</th>
              <th scope="col" class="num">{t('sessions.detail.pricePerKwh')}</th>
              <th scope="col" class="num">{t('sessions.detail.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line, index) => (
              <tr key={index}>
                <td>{line.kind === 'fee' ? t('sessions.detail.fee') : when(line.hour)}</td>
                <td class="num">{line.kind === 'fee' ? '–' : kWh(line.energyWh)}</td>
                <td class="num">{line.kind === 'fee' ? '–' : sek(line.pricePerKwhOre)}</td>
                <td class="num">{sek(line.amountOre)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
