import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { useApi } from '../../data.ts';
import { t } from '../../i18n/index.ts';
import { CommandForm, type CommandPanelProps } from './CommandForm.tsx';
import { DiagnosticsJobs } from './DiagnosticsJobs.tsx';
import { Field } from './Field.tsx';
import type { DiagnosticsJob } from './types.ts';

/** A datetime-local field's value as an ISO time (it is the browser's local time). */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** OCPP GetDiagnostics (POST /chargers/:id/diagnostics); the charger uploads its file to the server, shown here once it came. */
export function DiagnosticsForm({ chargerId, busy, run, onClose }: CommandPanelProps) {
  const jobs = useApi<DiagnosticsJob[]>(`/chargers/${chargerId}/diagnostics`);
  const [startTime, setStartTime] = useState('');
  const [stopTime, setStopTime] = useState('');

  const send = async () => {
    const job = await api<DiagnosticsJob>(`/chargers/${chargerId}/diagnostics`, {
      method: 'POST', body: { startTime: isoOf(startTime), stopTime: isoOf(stopTime) },
    });
    jobs.reload();
    return {
      status: job.status,
      detail: job.fileName === null ? t('charger.diagnostics.nothing') : t('charger.diagnostics.jobFile', { id: job.id, name: job.fileName }),
    };
  };

  return (
    <CommandForm
      id="command-diagnostics" title={t('charger.diagnostics.title')} submitLabel={t('charger.diagnostics.send')}
      busy={busy} onClose={onClose} onSubmit={() => run('GetDiagnostics', send)}
    >
      <Field label={t('charger.diagnostics.from')}>{(id) => (
        <input id={id} type="datetime-local" value={startTime} onInput={(e) => setStartTime(e.currentTarget.value)} />
      )}</Field>
      <Field label={t('charger.diagnostics.to')}>{(id) => (
        <input id={id} type="datetime-local" value={stopTime} onInput={(e) => setStopTime(e.currentTarget.value)} />
      )}</Field>
      <DiagnosticsJobs jobs={jobs} />
    </CommandForm>
  );
}
