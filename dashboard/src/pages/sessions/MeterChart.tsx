import { useMemo } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { TimeChart, type ChartSeries } from '../../components/TimeChart.tsx';
import { t } from '../../i18n/index.ts';
import type { MeterPoint } from './meterPoints.ts';

/** The session's energy (kWh) and power (kW) over time. */
export function MeterChart({ points }: { points: MeterPoint[] }) {
  const series: ChartSeries[] = useMemo(() => [
    { label: t('sessions.detail.energySeries'), unit: 'kWh', color: '#0b6bcb' },
    { label: t('sessions.detail.powerSeries'), unit: 'kW', color: '#c2410c' },
  ], []);
  const data = useMemo<AlignedData>(() => [
    points.map((p) => p.at / 1000),
    points.map((p) => (p.energyWh === null ? null : p.energyWh / 1000)),
    points.map((p) => (p.powerW === null ? null : p.powerW / 1000)),
  ], [points]);
  if (points.length === 0) return <p class="muted">{t('sessions.detail.noReadings')}</p>;
  return <TimeChart title={t('sessions.detail.meterChart')} series={series} data={data} />;
}
