import { useEffect, useState } from 'preact/hooks';
import { request } from '../../api.ts';
import type { Loaded } from '../../data.ts';
import { num, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { describeError } from './errors.ts';
import type { DiagnosticsJob } from './types.ts';

/** Jobs shown (the newest). */
const SHOWN = 5;
const POLL_MS = 3000;
/** A job in one of these states will not change any more. */
const FINAL = new Set(['Uploaded', 'UploadFailed', 'Superseded']);

const isOpen = (job: DiagnosticsJob) => job.fileName !== null && !FINAL.has(job.status);

/** Saves a job's file: it needs the admin's token, so it is fetched and handed to the browser as a download. */
async function download(job: DiagnosticsJob): Promise<void> {
  const response = await request(`/diagnostics/${job.id}/file`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = job.fileName ?? `diagnostics-${job.id}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The charger's latest diagnostics jobs and their files; read again every few seconds while one is under way. */
export function DiagnosticsJobs({ jobs }: { jobs: Loaded<DiagnosticsJob[]> }) {
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const shown = (jobs.data ?? []).slice(0, SHOWN);
  const waiting = shown.some(isOpen);
  const { reload } = jobs;

  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, reload]);

  if (shown.length === 0) return <p class="muted">{jobs.loading ? t('app.loading') : t('charger.diagnostics.noJobs')}</p>;
  return (
    <div>
      {downloadError && <p class="notice error" role="alert">{downloadError}</p>}
      <ul class="job-list" aria-label={t('charger.diagnostics.jobs')}>
        {shown.map((job) => (
          <li key={job.id} data-testid="diagnostics-job">
            <span>{t('charger.diagnostics.jobLine', { id: job.id, status: job.status, at: when(job.createdAt) })}</span>
            {job.fileName === null && <span class="muted"> · {t('charger.diagnostics.nothing')}</span>}
            {job.receivedAt !== null && (
              <button
                type="button"
                class="link-button"
                onClick={() => { setDownloadError(null); download(job).catch((error: unknown) => setDownloadError(describeError(error))); }}
              >
                {t('charger.diagnostics.download', { name: job.fileName ?? String(job.id), size: num(job.sizeBytes) })}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
