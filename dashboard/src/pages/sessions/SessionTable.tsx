import { StatusBadge } from '../../components/StatusBadge.tsx';
import { kW, kWh, sek, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { href } from '../../router.ts';
import { isRunning, type SessionSummary } from './types.ts';

/** Who a session is billed to: the user's page, or the card it was started with. */
export function SessionUser({ session }: { session: Pick<SessionSummary, 'userId' | 'userEmail'> }) {
  if (session.userId === null) return <span class="muted">–</span>;
  return <a href={href(`/users/${encodeURIComponent(session.userEmail ?? String(session.userId))}`)}>{session.userEmail ?? `#${session.userId}`}</a>;
}

export function SessionTable({ sessions }: { sessions: SessionSummary[] }) {
  if (sessions.length === 0) return <p class="muted">{t('common.noRows')}</p>;
  return (
    <div class="table-wrap">
      <table class="sessions-table" aria-label={t('sessions.title')}>
        <thead>
          <tr>
            <th scope="col">{t('sessions.id')}</th>
            <th scope="col">{t('sessions.status')}</th>
            <th scope="col">{t('sessions.charger')}</th>
            <th scope="col">{t('sessions.user')}</th>
            <th scope="col">{t('sessions.idTag')}</th>
            <th scope="col">{t('sessions.started')}</th>
            <th scope="col">{t('sessions.stopped')}</th>
            <th scope="col" class="num">{t('sessions.energy')}</th>
            <th scope="col" class="num">{t('sessions.power')}</th>
            <th scope="col" class="num">{t('sessions.price')}</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-testid={`session-${s.id}`}>
              <td><a href={href(`/sessions/${s.id}`)}>{t('sessions.idLink', { id: s.id })}</a></td>
              <td><StatusBadge status={s.status} /></td>
              <td>{s.chargerId === null ? '–' : <a href={href(`/chargers/${s.chargerId}`)}>{s.chargerId}</a>}{s.connectorId !== null && <span class="muted"> / {s.connectorId}</span>}</td>
              <td><SessionUser session={s} /></td>
              <td>{s.idTag ?? '–'}</td>
              <td>{s.startedAt ? when(s.startedAt) : <span class="muted">{t('sessions.createdAt', { time: when(s.createdAt) })}</span>}</td>
              <td>{when(s.stoppedAt)}</td>
              <td class="num" data-wh={s.energyWh}>{kWh(s.energyWh)}</td>
              <td class="num">{isRunning(s.status) ? kW(s.powerW) : '–'}</td>
              <td class="num">{sek(s.priceOre)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
