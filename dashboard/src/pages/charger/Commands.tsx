import type { FunctionComponent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { t, type StringKey } from '../../i18n/index.ts';
import { AvailabilityForm } from './AvailabilityForm.tsx';
import type { CommandPanelProps } from './CommandForm.tsx';
import { useCommandRun } from './commandRun.ts';
import { DiagnosticsForm } from './DiagnosticsForm.tsx';
import { FirmwareForm } from './FirmwareForm.tsx';
import { ResetForm } from './ResetForm.tsx';
import { TriggerForm } from './TriggerForm.tsx';
import { UnlockForm } from './UnlockForm.tsx';

type CommandKind = 'reset' | 'unlock' | 'availability' | 'trigger' | 'firmware' | 'diagnostics';

const COMMANDS: [CommandKind, StringKey, FunctionComponent<CommandPanelProps>][] = [
  ['reset', 'charger.reset', ResetForm],
  ['unlock', 'charger.commands.unlock', UnlockForm],
  ['availability', 'charger.commands.availability', AvailabilityForm],
  ['trigger', 'charger.commands.trigger', TriggerForm],
  ['firmware', 'charger.commands.firmware', FirmwareForm],
  ['diagnostics', 'charger.commands.diagnostics', DiagnosticsForm],
];

interface Props {
  chargerId: number;
  connectors: number[];
  /** Called after each command, answered or not (the command history reads again). */
  onSent: () => void;
}

/** The buttons of the commands an operator sends; each opens its form below, and its answer shows under it. */
export function Commands({ chargerId, connectors, onSent }: Props) {
  const [open, setOpen] = useState<CommandKind | null>(null);
  const buttons = useRef(new Map<CommandKind, HTMLButtonElement>());
  const { busy, outcome, run, clear } = useCommandRun(onSent);

  const toggle = (kind: CommandKind) => {
    clear();
    setOpen((current) => (current === kind ? null : kind));
  };
  const close = () => {
    const opener = open && buttons.current.get(open);
    setOpen(null);
    opener?.focus();
  };
  const Panel = COMMANDS.find(([kind]) => kind === open)?.[2];

  return (
    <section class="panel" aria-labelledby="charger-commands">
      <h2 id="charger-commands">{t('charger.commands.heading')}</h2>
      <div class="command-buttons">
        {COMMANDS.map(([kind, label]) => (
          <button
            key={kind}
            type="button"
            ref={(element) => { if (element) buttons.current.set(kind, element); }}
            aria-expanded={open === kind}
            aria-controls={open === kind ? `command-${kind}` : undefined}
            class={open === kind ? 'active' : undefined}
            onClick={() => toggle(kind)}
          >
            {t(label)}
          </button>
        ))}
      </div>
      {Panel && <Panel key={open} chargerId={chargerId} connectors={connectors} busy={busy} run={run} onClose={close} />}
      {busy && <p class="muted" aria-busy="true">{t('charger.commands.sending')}</p>}
      <div role="status" aria-live="polite">
        {outcome && <p data-testid="command-result" class={`notice ${outcome.ok ? 'ok' : 'error'}`}>{outcome.text}</p>}
      </div>
    </section>
  );
}
