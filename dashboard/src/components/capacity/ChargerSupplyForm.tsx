import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { useApi } from '../../data.ts';
import { t } from '../../i18n/index.ts';
import { ActionError } from '../ActionError.tsx';
import { Async } from '../Async.tsx';
import { useAction } from '../useAction.ts';

const PHASE_CONNECTIONS = ['L1', 'L2', 'L3', 'L1L2L3', 'L2L3L1', 'L3L1L2'] as const;
type PhaseConnection = (typeof PHASE_CONNECTIONS)[number];
const PROFILE_PURPOSES = ['TxProfile', 'TxDefaultProfile'] as const;
type ProfilePurpose = (typeof PROFILE_PURPOSES)[number];

interface ChargerSupply {
  connectorID: number;
  maxCurrentA: number;
  phaseConnection: PhaseConnection;
  /** 1–10: its weight in the site's load balancing. */
  priority: number;
  profilePurpose: ProfilePurpose;
  /** What it showed of SetChargingProfile; the server learns it, nobody sets it. */
  smartCharging: 'unknown' | 'supported' | 'unsupported';
}

function Form({ supply, onSaved }: { supply: ChargerSupply; onSaved: (supply: ChargerSupply) => void }) {
  const [current, setCurrent] = useState(String(supply.maxCurrentA));
  const [phases, setPhases] = useState<PhaseConnection>(supply.phaseConnection);
  const [priority, setPriority] = useState(String(supply.priority));
  const [purpose, setPurpose] = useState<ProfilePurpose>(supply.profilePurpose);
  const action = useAction();
  const [saved, setSaved] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    setSaved(await action.run(async () => {
      onSaved(await api<ChargerSupply>(`/chargers/${supply.connectorID}/supply`, {
        method: 'PUT', body: { maxCurrentA: Number(current), phaseConnection: phases, priority: Number(priority), profilePurpose: purpose },
      }));
    }));
  }

  return (
    <form class="capacity-form" onSubmit={save}>
      <div class="capacity-fields">
        <label for="supply-current">{t('capacity.chargerMaxCurrent')}</label>
        <input id="supply-current" type="number" min="6" max="630" step="any" required value={current} onInput={(event) => setCurrent(event.currentTarget.value)} />
        <label for="supply-phases">{t('capacity.phaseConnection')}</label>
        <select id="supply-phases" value={phases} onChange={(event) => setPhases(event.currentTarget.value as PhaseConnection)}>
          {PHASE_CONNECTIONS.map((value) => <option key={value} value={value}>{t(`capacity.phaseOptions.${value}`)}</option>)}
        </select>
        <label for="supply-priority">{t('balancing.supply.priority')}</label>
        <input id="supply-priority" type="number" min="1" max="10" step="1" required value={priority} onInput={(event) => setPriority(event.currentTarget.value)} />
        <label for="supply-purpose">{t('balancing.supply.profilePurpose')}</label>
        <select id="supply-purpose" value={purpose} onChange={(event) => setPurpose(event.currentTarget.value as ProfilePurpose)}>
          {PROFILE_PURPOSES.map((value) => <option key={value} value={value}>{t(`balancing.supply.purposes.${value}`)}</option>)}
        </select>
      </div>
      <p class="muted fleet-small" data-testid="smart-charging">{t(`balancing.supply.smartCharging.${supply.smartCharging}`)}</p>
      <p class="muted fleet-small">{t('balancing.supply.priorityHint')}</p>
      <button type="submit">{t('capacity.saveSupply')}</button>
      {saved && <p class="notice ok" role="status">{t('capacity.saved')}</p>}
      <ActionError error={action.error} />
    </form>
  );
}

/** How a charger is supplied (GET/PUT /chargers/:id/supply): the most it may draw and the phases it is on. */
export function ChargerSupplyForm({ chargerId }: { chargerId: number }) {
  const loaded = useApi<ChargerSupply>(`/chargers/${chargerId}/supply`);
  return (
    <section class="panel" aria-labelledby="supply-heading">
      <h2 id="supply-heading">{t('capacity.supplyHeading')}</h2>
      <Async loaded={loaded}>{(supply) => <Form supply={supply} onSaved={(saved) => loaded.update(() => saved)} />}</Async>
    </section>
  );
}
