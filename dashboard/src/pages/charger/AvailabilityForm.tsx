import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';
import { CommandForm, type CommandPanelProps } from './CommandForm.tsx';
import { ConnectorSelect } from './ConnectorSelect.tsx';
import { Field } from './Field.tsx';

type AvailabilityType = 'Operative' | 'Inoperative';

/** OCPP ChangeAvailability of the whole charger or one connector (POST /chargers/:id/availability). */
export function AvailabilityForm({ chargerId, connectors, busy, run, onClose }: CommandPanelProps) {
  const [type, setType] = useState<AvailabilityType>('Inoperative');
  const [connector, setConnector] = useState('');
  const send = async () => {
    const body = connector === '' ? { type } : { type, connectorId: Number(connector) };
    return api<{ status: string }>(`/chargers/${chargerId}/availability`, { method: 'POST', body });
  };
  return (
    <CommandForm
      id="command-availability" title={t('charger.commands.availabilityTitle')} submitLabel={t('charger.commands.sendAvailability')}
      busy={busy} onClose={onClose} onSubmit={() => run('ChangeAvailability', send)}
    >
      <Field label={t('charger.commands.availabilityType')}>{(id) => (
        <select id={id} value={type} onChange={(e) => setType(e.currentTarget.value as AvailabilityType)}>
          <option value="Operative">{t('charger.commands.operative')}</option>
          <option value="Inoperative">{t('charger.commands.inoperative')}</option>
        </select>
      )}</Field>
      <ConnectorSelect
        label={t('charger.connector')} connectors={connectors} value={connector} onChange={setConnector}
        emptyLabel={t('charger.wholeCharger')}
      />
    </CommandForm>
  );
}
