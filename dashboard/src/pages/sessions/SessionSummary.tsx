import type { ComponentChildren } from 'preact';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { kW, kWh, num, sek, when } from '../../format.ts';
import { t, type StringKey } from '../../i18n/index.ts';
import { href } from '../../router.ts';
import { SessionUser } from './SessionTable.tsx';
import { isRunning, type SessionFull } from './types.ts';

/** What is known of the session, as term/value pairs. */
export function SessionSummary({ session: s }: { session: SessionFull }) {
  const running = isRunning(s.status);
  const rows: [StringKey, ComponentChildren][] = [
    ['sessions.status', <StatusBadge status={s.status} />],
    ['sessions.charger', s.chargerId === null ? '–' : <a href={href(`/chargers/${s.chargerId}`)}>{s.chargerId}</a>],
    ['sessions.detail.connector', num(s.connectorId)],
    ['sessions.user', <SessionUser session={s} />],
    ['sessions.idTag', s.idTag ?? '–'],
    ['sessions.detail.paymentMethod', s.paymentMethod],
    ['sessions.detail.created', when(s.createdAt)],
    ['sessions.started', when(s.startedAt)],
    ['sessions.stopped', when(s.stoppedAt)],
    ['sessions.energy', <span data-testid="session-energy" data-wh={Math.round(s.energyWh)}>{kWh(s.energyWh)}</span>],
    ['sessions.power', running ? kW(s.powerW) : '–'],
    ['sessions.detail.soc', s.socPercent === null ? '–' : `${num(s.socPercent)} %`],
    ['sessions.detail.meterStart', kWh(s.meterStartWh)],
    ['sessions.detail.meterStop', kWh(s.meterStopWh)],
    ['sessions.detail.pricePerKwh', sek(s.pricePerKwhOre)],
    ['sessions.price', sek(s.priceOre)],
    ['sessions.detail.discount', sek(s.discountOre)],
    ['sessions.detail.stopReason', s.stopReason ?? '–'],
    ['sessions.detail.flags', s.flags.length ? <ul class="flags">{s.flags.map((flag) => <li key={flag}>{flag}</li>)}</ul> : t('common.none')],
  ];
  return (
    <dl class="facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{t(term)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
