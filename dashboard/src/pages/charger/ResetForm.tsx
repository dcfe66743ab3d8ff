import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { CommandForm, type CommandPanelProps } from './CommandForm.tsx';
import { Field } from './Field.tsx';
import { sendCommand } from './sendCommand.ts';

/** OCPP Reset: Soft (restart the software) or Hard (restart the whole charger). */
export function ResetForm({ chargerId, busy, run, onClose }: CommandPanelProps) {
  const [type, setType] = useState<'Soft' | 'Hard'>('Soft');
  return (
    <CommandForm
      id="command-reset" title={t('charger.commands.resetTitle')} submitLabel={t('charger.commands.sendReset')}
      busy={busy} onClose={onClose} onSubmit={() => run('Reset', () => sendCommand(chargerId, 'Reset', { type }))}
    >
      <Field label={t('charger.commands.resetType')}>{(id) => (
        <select id={id} value={type} onChange={(e) => setType(e.currentTarget.value as 'Soft' | 'Hard')}>
          <option value="Soft">{t('charger.commands.soft')}</option>
          <option value="Hard">{t('charger.commands.hard')}</option>
        </select>
      )}</Field>
    </CommandForm>
  );
}
