import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n/index.ts';

interface Props {
  id: string;
  title: string;
  submitLabel: string;
  busy: boolean;
  /** False while a field the command needs is empty. */
  ready?: boolean;
  onSubmit: () => void;
  onClose: () => void;
  children: ComponentChildren;
}

/**
 * The panel of one command: its fields, a send button and a close button; Escape closes it.
 * The send button stays enabled while a command is under way (a disabled button would drop
 * the keyboard focus); a second send is ignored then.
 */
export function CommandForm({ id, title, submitLabel, busy, ready = true, onSubmit, onClose, children }: Props) {
  const form = useRef<HTMLFormElement>(null);

  // Opening a command takes the keyboard to its first field.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input, select, button')?.focus();
  }, []);

  return (
    <form
      id={id}
      ref={form}
      class="command-form"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        if (!busy && ready) onSubmit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <h3 id={`${id}-title`}>{title}</h3>
      <div class="command-fields">{children}</div>
      <div class="command-actions">
        <button type="submit" class="primary" disabled={!ready} aria-disabled={busy} aria-busy={busy}>{submitLabel}</button>
        <button type="button" onClick={onClose}>{t('common.close')}</button>
      </div>
    </form>
  );
}

/** What every command's panel gets from the commands section. */
export interface CommandPanelProps {
  chargerId: number;
  /** The charger's connector numbers (1 and up). */
  connectors: number[];
  busy: boolean;
  run: (action: string, send: () => Promise<{ status: string; detail?: string }>) => Promise<void>;
  onClose: () => void;
}
