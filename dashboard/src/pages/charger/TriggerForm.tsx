import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { CommandForm, type CommandPanelProps } from './CommandForm.tsx';
import { ConnectorSelect } from './ConnectorSelect.tsx';
import { Field } from './Field.tsx';
import { sendCommand } from './sendCommand.ts';

/** The messages OCPP 1.6 TriggerMessage can ask for. */
const TRIGGERS = [
  'BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification',
] as const;

/** OCPP TriggerMessage: asks the charger to send one of its messages now, optionally for one connector. */
export function TriggerForm({ chargerId, connectors, busy, run, onClose }: CommandPanelProps) {
  const [requestedMessage, setRequestedMessage] = useState<string>('StatusNotification');
  const [connector, setConnector] = useState('');
  const send = () => sendCommand(chargerId, 'TriggerMessage', connector === '' ? { requestedMessage } : { requestedMessage, connectorId: Number(connector) });
  return (
    <CommandForm
      id="command-trigger" title={t('charger.commands.triggerTitle')} submitLabel={t('charger.commands.sendTrigger')}
      busy={busy} onClose={onClose} onSubmit={() => run('TriggerMessage', send)}
    >
      <Field label={t('charger.commands.requestedMessage')}>{(id) => (
        <select id={id} value={requestedMessage} onChange={(e) => setRequestedMessage(e.currentTarget.value)}>
          {TRIGGERS.map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
      )}</Field>
      <ConnectorSelect
        label={t('charger.connector')} connectors={connectors} value={connector} onChange={setConnector}
        emptyLabel={t('charger.commands.noConnector')}
      />
    </CommandForm>
  );
}
