import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, query } from '../../api.ts';
import { num, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { Field } from './Field.tsx';
import { PagedFooter } from './PagedFooter.tsx';
import { COMMAND_ACTIONS, COMMAND_OUTCOMES, type CommandEntry, type CommandPage } from './types.ts';
import { usePaged } from './usePaged.ts';

const PAGE = 25;

function Answer({ command }: { command: CommandEntry }) {
  if (command.error) return <span class="bad-text">{command.error.code}: {command.error.message}</span>;
  return <>{command.status ?? '–'}</>;
}

/** The commands sent to the charger by anyone, newest first; `sent` changes when this page sent one. */
export function CommandHistory({ chargerId, sent }: { chargerId: number; sent: number }) {
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState('');
  const read = useCallback(async (before: string | null) => {
    const page = await api<CommandPage>(`/chargers/${chargerId}/commands${query({ limit: PAGE, before, action, outcome })}`);
    return { items: page.commands, next: page.nextBefore };
  }, [chargerId, action, outcome]);
  const paged = usePaged(read);
  const { reload } = paged;

  useEffect(() => {
    if (sent > 0) reload();
  }, [sent, reload]);

  return (
    <section class="panel" aria-labelledby="charger-commands-history">
      <h2 id="charger-commands-history">{t('charger.commandHistory.heading')}</h2>
      <div class="filters">
        <Field label={t('charger.commandHistory.action')}>{(id) => (
          <select id={id} value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            <option value="">{t('common.all')}</option>
            {COMMAND_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        )}</Field>
        <Field label={t('charger.commandHistory.outcome')}>{(id) => (
          <select id={id} value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">{t('common.all')}</option>
            {COMMAND_OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
        )}</Field>
        <button type="button" onClick={reload}>{t('charger.refresh')}</button>
      </div>
      {paged.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('charger.commandHistory.sentAt')}</th>
                <th scope="col">{t('charger.commandHistory.action')}</th>
                <th scope="col">{t('charger.commandHistory.by')}</th>
                <th scope="col">{t('charger.commandHistory.outcome')}</th>
                <th scope="col">{t('charger.commandHistory.answer')}</th>
                <th scope="col">{t('charger.commandHistory.durationMs')}</th>
                <th scope="col">{t('charger.commandHistory.payloads')}</th>
              </tr>
            </thead>
            <tbody>
              {paged.items.map((command) => (
                <tr key={command.commandId}>
                  <td>{when(command.sentAt)}</td>
                  <td>{command.action}</td>
                  <td>{command.subsystem}</td>
                  <td>{command.outcome}</td>
                  <td class="wrap"><Answer command={command} /></td>
                  <td>{num(command.durationMs)}</td>
                  <td class="wrap">
                    <details>
                      <summary>{t('charger.commandHistory.show')}</summary>
                      <pre class="frame">{JSON.stringify({ request: command.request, response: command.response }, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagedFooter paged={paged} />
    </section>
  );
}
