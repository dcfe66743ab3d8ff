import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { CommandForm, type CommandPanelProps } from './CommandForm.tsx';
import { ConnectorSelect } from './ConnectorSelect.tsx';
import { sendCommand } from './sendCommand.ts';

/** OCPP UnlockConnector: releases the cable of one connector. */
export function UnlockForm({ chargerId, connectors, busy, run, onClose }: CommandPanelProps) {
  const [connector, setConnector] = useState(String(connectors[0] ?? 1));
  return (
    <CommandForm
      id="command-unlock" title={t('charger.commands.unlockTitle')} submitLabel={t('charger.commands.sendUnlock')}
      busy={busy} onClose={onClose}
      onSubmit={() => run('UnlockConnector', () => sendCommand(chargerId, 'UnlockConnector', { connectorId: Number(connector) }))}
    >
      <ConnectorSelect label={t('charger.connector')} connectors={connectors} value={connector} onChange={setConnector} />
    </CommandForm>
  );
}
