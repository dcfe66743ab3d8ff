import { useState } from 'preact/hooks';
import { Async } from '../components/Async.tsx';
import { ChargerSupplyForm } from '../components/capacity/ChargerSupplyForm.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useApi } from '../data.ts';
import { t } from '../i18n/index.ts';
import { href } from '../router.ts';
import { ChargerHeader } from './charger/ChargerHeader.tsx';
import { CommandHistory } from './charger/CommandHistory.tsx';
import { Commands } from './charger/Commands.tsx';
import { ConfigurationSection } from './charger/ConfigurationSection.tsx';
import { Connectors, useLiveConnectors } from './charger/Connectors.tsx';
import { MessageLog } from './charger/MessageLog.tsx';
import { RunningSessions } from './charger/RunningSessions.tsx';
import { StatusHistory } from './charger/StatusHistory.tsx';
import type { ChargerDetail, Connector } from './charger/types.ts';
import { useLiveCharger } from './charger/useLiveCharger.ts';

/** Where an operator debugs one charger: how it is, what it said and was told, and the commands to send it. */
export function ChargerPage({ params }: { params: Record<string, string> }) {
  const chargerId = Number(params.id);
  if (!Number.isInteger(chargerId) || chargerId < 0) return <p>{t('app.notFound')}</p>;
  return <ChargerView key={chargerId} chargerId={chargerId} />;
}

function ChargerView({ chargerId }: { chargerId: number }) {
  const charger = useApi<ChargerDetail>(`/fleet/chargers/${chargerId}`);
  const connectors = useApi<Connector[]>(`/chargers/${chargerId}/connectors`);
  const [sent, setSent] = useState(0);
  useLiveCharger(chargerId, charger);
  useLiveConnectors(chargerId, connectors);

  const serial = charger.data?.serialNumber;
  const numbers = (connectors.data ?? []).map((c) => c.connectorId).filter((n) => n > 0);
  // A charger that has not reported its connectors yet still has connector 1 (OCPP numbers them from 1).
  const commandConnectors = numbers.length ? numbers : [1];
  return (
    <>
      <PageHeader title={serial ? t('charger.title', { serial }) : t('charger.titleId', { id: chargerId })}>
        <a href={href('/fleet')}>{t('charger.backToFleet')}</a>
      </PageHeader>
      <Async loaded={charger}>
        {(detail) => (
          <div class="charger-page">
            <ChargerHeader charger={detail} />
            <div class="charger-columns">
              <div class="charger-column">
                <Connectors loaded={connectors} />
                <Commands chargerId={chargerId} connectors={commandConnectors} onSent={() => setSent((n) => n + 1)} />
                <ChargerSupplyForm chargerId={chargerId} />
              </div>
              <div class="charger-column">
                <RunningSessions sessions={detail.sessions} />
                <StatusHistory chargerId={chargerId} />
              </div>
            </div>
            <MessageLog chargerId={chargerId} />
            <CommandHistory chargerId={chargerId} sent={sent} />
            <ConfigurationSection chargerId={chargerId} />
          </div>
        )}
      </Async>
    </>
  );
}
