import { kW, kWh, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { href } from '../../router.ts';
import { SessionChart } from './SessionChart.tsx';
import type { ChargerSession } from './types.ts';

/** The charger's running sessions, each with its energy, power and a live chart. */
export function RunningSessions({ sessions }: { sessions: ChargerSession[] }) {
  return (
    <section class="panel" aria-labelledby="charger-sessions">
      <h2 id="charger-sessions">{t('charger.sessions.heading')}</h2>
      {sessions.length === 0 && <p class="muted">{t('charger.sessions.none')}</p>}
      {sessions.map((session) => (
        <article key={session.sessionId} class="running-session" aria-label={t('charger.sessions.label', { id: session.sessionId })}>
          <dl class="facts">
            <div><dt>{t('charger.sessions.session')}</dt><dd><a href={href(`/sessions/${session.sessionId}`)}>#{session.sessionId}</a></dd></div>
            <div><dt>{t('charger.connector')}</dt><dd>{session.connectorId}</dd></div>
            <div><dt>{t('charger.sessions.started')}</dt><dd>{when(session.startedAt)}</dd></div>
            <div>
              <dt>{t('charger.sessions.energy')}</dt>
              <dd data-testid="session-energy" data-wh={Math.round(session.energyWh)}>{kWh(session.energyWh)}</dd>
            </div>
            <div><dt>{t('charger.sessions.power')}</dt><dd data-testid="session-power">{kW(session.powerW)}</dd></div>
          </dl>
          <SessionChart sessionId={session.sessionId} />
        </article>
      ))}
    </section>
  );
}
