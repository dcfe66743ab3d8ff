import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { api } from '../../api.ts';
import { TimeChart, type ChartSeries } from '../../components/TimeChart.tsx';
import { t } from '../../i18n/index.ts';
import { onLive } from '../../live.ts';
import { describeError } from './errors.ts';
import { pointsOfSession, type ChartPoint } from './readings.ts';
import type { SessionReadings } from './types.ts';

/** Most points drawn; the oldest go first (a whole day at one reading every 15 s). */
const MAX_POINTS = 6000;

/** Power and energy of a running session: its stored readings, then each live `meterValues` event. */
export function SessionChart({ sessionId }: { sessionId: number }) {
  const [points, setPoints] = useState<ChartPoint[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setPoints([]);
    setError(null);
    const unlisten = onLive('meterValues', (event) => {
      if (event.sessionId !== sessionId) return;
      const point = { t: new Date(event.at).getTime() / 1000, powerKw: event.powerW === null ? null : event.powerW / 1000, energyKwh: event.energyWh / 1000 };
      setPoints((current) => [...current.filter((p) => p.t < point.t), point].slice(-MAX_POINTS));
    });
    let cancelled = false;
    api<SessionReadings>(`/sessions/${sessionId}`).then(
      (stored) => {
        if (cancelled) return;
        const older = pointsOfSession(stored);
        const last = older[older.length - 1]?.t ?? -Infinity;
        // Live points that came while the stored ones were read follow them.
        setPoints((live) => [...older, ...live.filter((p) => p.t > last)].slice(-MAX_POINTS));
      },
      (reason: unknown) => !cancelled && setError(describeError(reason)),
    );
    return () => {
      cancelled = true;
      unlisten();
    };
  }, [sessionId]);

  const series = useMemo<ChartSeries[]>(() => [
    { label: t('charger.sessions.power'), unit: 'kW', color: '#0b6bcb' },
    { label: t('charger.sessions.energy'), unit: 'kWh', color: '#1d7a3a' },
  ], []);
  const data = useMemo<AlignedData>(() => [points.map((p) => p.t), points.map((p) => p.powerKw), points.map((p) => p.energyKwh)], [points]);

  return (
    <div>
      {error && <p class="notice error" role="alert">{t('charger.sessions.readingsFailed', { message: error })}</p>}
      <TimeChart title={t('charger.sessions.chartTitle', { id: sessionId })} series={series} data={data} height={200} />
      {points.length === 0 && <p class="muted">{t('charger.sessions.noReadings')}</p>}
    </div>
  );
}
