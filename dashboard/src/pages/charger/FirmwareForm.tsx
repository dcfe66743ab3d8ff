import { useState } from 'preact/hooks';
import { api, query } from '../../api.ts';
import { useApi } from '../../data.ts';
import { when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { CommandForm, type CommandPanelProps } from './CommandForm.tsx';
import { describeError } from './errors.ts';
import { Field } from './Field.tsx';
import type { FirmwareFile, FirmwareJob } from './types.ts';

/** OCPP UpdateFirmware with an uploaded firmware file, or one uploaded here first (POST /firmware, raw bytes). */
export function FirmwareForm({ chargerId, busy, run, onClose }: CommandPanelProps) {
  const files = useApi<FirmwareFile[]>('/firmware');
  const [firmwareId, setFirmwareId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [version, setVersion] = useState('');
  const [uploading, setUploading] = useState(false);
  const [uploadOutcome, setUploadOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  const upload = async () => {
    if (!file || uploading) return;
    setUploading(true);
    setUploadOutcome(null);
    try {
      const stored = await api<FirmwareFile>(`/firmware${query({ name: file.name, version: version.trim() })}`, {
        method: 'POST', body: file, contentType: 'application/octet-stream',
      });
      files.update((list) => [stored, ...list]);
      setFirmwareId(String(stored.id));
      setUploadOutcome({ ok: true, text: t('charger.firmware.uploaded', { name: stored.name }) });
    } catch (error) {
      setUploadOutcome({ ok: false, text: t('charger.firmware.uploadFailed', { message: describeError(error) }) });
    } finally {
      setUploading(false);
    }
  };

  const send = async () => {
    const job = await api<FirmwareJob>(`/chargers/${chargerId}/firmware-updates`, { method: 'POST', body: { firmwareId: Number(firmwareId) } });
    return { status: job.status, detail: t('charger.firmware.job', { id: job.id }) };
  };

  return (
    <CommandForm
      id="command-firmware" title={t('charger.firmware.title')} submitLabel={t('charger.firmware.send')}
      busy={busy} ready={firmwareId !== ''} onClose={onClose} onSubmit={() => run('UpdateFirmware', send)}
    >
      <Field label={t('charger.firmware.file')}>{(id) => (
        <select id={id} value={firmwareId} onChange={(e) => setFirmwareId(e.currentTarget.value)}>
          <option value="">{files.loading && !files.data ? t('app.loading') : t('charger.firmware.choose')}</option>
          {(files.data ?? []).map((f) => (
            <option key={f.id} value={String(f.id)}>
              {f.name}{f.version ? ` (${f.version})` : ''} · {when(f.uploadedAt)}
            </option>
          ))}
        </select>
      )}</Field>
      {files.error && <p class="notice error" role="alert">{t('common.error', { message: files.error.message })}</p>}
      <fieldset class="upload">
        <legend>{t('charger.firmware.uploadLegend')}</legend>
        <Field label={t('charger.firmware.uploadFile')}>{(id) => (
          <input id={id} type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        )}</Field>
        <Field label={t('charger.firmware.version')}>{(id) => (
          <input id={id} value={version} maxLength={50} onInput={(e) => setVersion(e.currentTarget.value)} />
        )}</Field>
        <button type="button" onClick={upload} disabled={!file} aria-disabled={uploading} aria-busy={uploading}>{t('charger.firmware.upload')}</button>
        {uploadOutcome && <p class={`notice ${uploadOutcome.ok ? 'ok' : 'error'}`} role="status">{uploadOutcome.text}</p>}
      </fieldset>
    </CommandForm>
  );
}
