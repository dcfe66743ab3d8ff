import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { describeError } from './errors.ts';

export interface CommandOutcomeText {
  ok: boolean;
  text: string;
}

/** Statuses of a charger's answer that mean it did not do what was asked. */
const REFUSALS = new Set(['Rejected', 'NotSupported', 'NotImplemented', 'UnlockFailed', 'Failed']);

/**
 * Sends one command at a time and keeps its outcome for the page to show: the charger's
 * answer, or the server's error message and codes.
 */
export function useCommandRun(onSent: () => void) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<CommandOutcomeText | null>(null);

  /** `send` answers the status the charger gave and, optionally, more to say about it. */
  const run = async (action: string, send: () => Promise<{ status: string; detail?: string }>) => {
    setBusy(true);
    setOutcome(null);
    try {
      const { status, detail } = await send();
      const text = t('charger.commands.answered', { action, status });
      setOutcome({ ok: !REFUSALS.has(status), text: detail ? `${text} · ${detail}` : text });
    } catch (error) {
      setOutcome({ ok: false, text: t('charger.commands.failed', { action, message: describeError(error) }) });
    } finally {
      setBusy(false);
      onSent();
    }
  };

  return { busy, outcome, run, clear: () => setOutcome(null) };
}
