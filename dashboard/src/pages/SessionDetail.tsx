import { useEffect, useMemo, useState } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useApi } from '../data.ts';
import { t } from '../i18n/index.ts';
import { onLive } from '../live.ts';
import { href } from '../router.ts';
import { ChargingPlanPanel } from './sessions/ChargingPlanPanel.tsx';
import { MeterChart } from './sessions/MeterChart.tsx';
import { meterPoints, type MeterPoint } from './sessions/meterPoints.ts';
import { Payments } from './sessions/Payments.tsx';
import { PriceLines } from './sessions/PriceLines.tsx';
import { SessionSummary } from './sessions/SessionSummary.tsx';
import type { SessionDetailAnswer } from './sessions/types.ts';

/** One charging session: its summary, its driver's plan, readings (live while it runs), price per hour and payments. */
export function SessionDetail({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const valid = Number.isInteger(id) && id > 0;
  const loaded = useApi<SessionDetailAnswer>(valid ? `/sessions/${id}` : null);
  const { update, reload } = loaded;
  // Readings that came live since the last read; the next read has them stored.
  const [live, setLive] = useState<MeterPoint[]>([]);

  useEffect(() => {
    setLive([]);
    if (!valid) return;
    const stops = [
      onLive('meterValues', (reading) => {
        if (reading.sessionId !== id) return;
        setLive((points) => [...points, { at: new Date(reading.at).getTime(), energyWh: reading.energyWh, powerW: reading.powerW }]);
        update((data) => ({
          ...data,
          session: { ...data.session, energyWh: reading.energyWh, powerW: reading.powerW, socPercent: reading.socPercent ?? data.session.socPercent },
        }));
      }),
      onLive('sessionStarted', (event) => event.sessionId === id && reload()),
      onLive('sessionStopped', (event) => event.sessionId === id && reload()),
    ];
    return () => { for (const stop of stops) stop(); };
  }, [id, valid, update, reload]);

  const stored = useMemo(() => (loaded.data ? meterPoints(loaded.data.meterValues, loaded.data.session.meterStartWh) : []), [loaded.data?.meterValues, loaded.data?.session.meterStartWh]);
  const points = useMemo(() => {
    const last = stored.at(-1)?.at ?? -Infinity;
    return [...stored, ...live.filter((point) => point.at > last)];
  }, [stored, live]);

  const title = t('sessions.detail.title', { id: params.id ?? '' });
  if (!valid) return <><PageHeader title={title} /><p class="notice error" role="alert">{t('sessions.detail.badId')}</p></>;
  return (
    <>
      <PageHeader title={title}>
        <a class="button" href={href('/sessions')}>{t('sessions.detail.back')}</a>
      </PageHeader>
      <Async loaded={loaded}>
        {(data) => (
          <>
            <section class="panel section" aria-labelledby="session-summary">
              <h2 id="session-summary">{t('sessions.detail.summary')}</h2>
              <SessionSummary session={data.session} />
            </section>
            {data.chargingPlan && (
              <section class="panel section" aria-labelledby="session-plan">
                <h2 id="session-plan">{t('sessions.detail.plan')}</h2>
                <ChargingPlanPanel plan={data.chargingPlan} />
              </section>
            )}
            <section class="panel section" aria-labelledby="session-meter">
              <h2 id="session-meter">{t('sessions.detail.meterValues')}</h2>
              <MeterChart points={points} />
            </section>
            <section class="panel section" aria-labelledby="session-price">
              <h2 id="session-price">{t('sessions.detail.pricePerHour')}</h2>
              {data.priceLines ? <PriceLines lines={data.priceLines} /> : <p class="muted">{t('sessions.detail.notPriced')}</p>}
            </section>
            <section class="panel section" aria-labelledby="session-payments">
              <h2 id="session-payments">{t('sessions.detail.payments')}</h2>
              <Payments payments={data.payments} />
            </section>
          </>
        )}
      </Async>
    </>
  );
}
