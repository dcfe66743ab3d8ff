import type { Db } from '../db/connection.ts';
import type { DiagnosticsJobStatus } from '../db/schema.ts';
import type { ChargerGateway } from './chargerGateway.ts';
import { getCharger } from './chargers.ts';
import { notFound } from './errors.ts';
import { newJobToken, type JobStep } from './firmware.ts';
import type { ChargerId } from './units.ts';

/**
 * GetDiagnostics jobs: the charger uploads its file to a URL on this server (a token in the
 * path), and the file is kept in the database (bytea) so that whichever node the upload or the
 * admin's download reaches has it.
 */

/** A DiagnosticsStatusNotification status (OCPP 1.6 §6.17). */
export type DiagnosticsStatus = 'Idle' | 'Uploaded' | 'UploadFailed' | 'Uploading';

export interface DiagnosticsJob {
  id: number;
  chargerId: ChargerId;
  status: DiagnosticsJobStatus;
  /** The file name the charger announced; null when it said it has nothing to upload. */
  fileName: string | null;
  startTime: Date | null;
  stopTime: Date | null;
  retries: number | null;
  retryInterval: number | null;
  /** The upload as received: size and when; null until it came. */
  sizeBytes: number | null;
  receivedAt: Date | null;
  requestedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
  steps: JobStep[];
}

export interface DiagnosticsRequest {
  startTime?: Date;
  stopTime?: Date;
  retries?: number;
  retryInterval?: number;
}

/** An upload is taken while the job may still upload (a retry replaces an earlier file). */
const ENDED: readonly DiagnosticsJobStatus[] = ['Uploaded', 'Superseded'];

/**
 * Creates a job, sends GetDiagnostics with its upload URL (`locationOf(token)`) and keeps the
 * file name the charger answers. As with firmware, the job exists before the command goes out
 * and is removed when the command fails; older unfinished jobs of the charger are Superseded.
 */
export async function startDiagnostics(
  db: Db, gateway: ChargerGateway, chargerId: ChargerId, request: DiagnosticsRequest, userId: number, locationOf: (token: string) => string,
): Promise<DiagnosticsJob> {
  await getCharger(db, chargerId);
  const token = newJobToken();
  const { id } = await db.insertInto('diagnostics_jobs').values({
    charger_id: chargerId,
    token,
    start_time: request.startTime ?? null,
    stop_time: request.stopTime ?? null,
    retries: request.retries ?? null,
    retry_interval: request.retryInterval ?? null,
    requested_by: userId,
  }).returning('id').executeTakeFirstOrThrow();
  let fileName: string | undefined;
  try {
    ({ fileName } = await gateway.send(chargerId, 'GetDiagnostics', {
      location: locationOf(token),
      ...(request.startTime && { startTime: request.startTime.toISOString() }),
      ...(request.stopTime && { stopTime: request.stopTime.toISOString() }),
      ...(request.retries !== undefined && { retries: request.retries }),
      ...(request.retryInterval !== undefined && { retryInterval: request.retryInterval }),
    }, { subsystem: 'diagnostics', userId }));
  } catch (error) {
    await db.deleteFrom('diagnostics_jobs').where('id', '=', id).execute();
    throw error;
  }
  await db.updateTable('diagnostics_jobs').set({ file_name: fileName ?? null, updated_at: new Date() }).where('id', '=', id).execute();
  await db.updateTable('diagnostics_jobs').set({ status: 'Superseded', updated_at: new Date() })
    .where('charger_id', '=', chargerId).where('id', '<', id).where('status', 'not in', ENDED).execute();
  return getDiagnosticsJob(db, id);
}

/** A DiagnosticsStatusNotification: a step of the charger's latest unfinished job (Idle changes nothing). */
export async function recordDiagnosticsStatus(db: Db, chargerId: ChargerId, status: DiagnosticsStatus): Promise<void> {
  const job = await db.selectFrom('diagnostics_jobs').select('id')
    .where('charger_id', '=', chargerId).where('status', 'not in', ENDED).orderBy('id', 'desc').executeTakeFirst();
  if (!job) return;
  await db.insertInto('diagnostics_job_steps').values({ job_id: job.id, status }).execute();
  if (status !== 'Idle') await db.updateTable('diagnostics_jobs').set({ status, updated_at: new Date() }).where('id', '=', job.id).execute();
}

/** Keeps the file a charger uploaded with the job's token; 404 for an unknown token or a job that has ended. */
export async function receiveDiagnosticsUpload(db: Db, token: string, content: Uint8Array, contentType: string | null): Promise<void> {
  const updated = await db.updateTable('diagnostics_jobs')
    .set({ content, content_type: contentType, size_bytes: content.byteLength, received_at: new Date(), updated_at: new Date() })
    .where('token', '=', token).where('status', 'not in', ENDED)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw notFound('Diagnostics upload');
}

/** The uploaded file of a job, for admins. */
export async function diagnosticsFile(db: Db, jobId: number): Promise<{ fileName: string; contentType: string; content: Uint8Array }> {
  const row = await db.selectFrom('diagnostics_jobs').select(['file_name', 'content', 'content_type']).where('id', '=', jobId).executeTakeFirst();
  if (!row) throw notFound(`Diagnostics job ${jobId}`);
  if (!row.content) throw notFound(`The file of diagnostics job ${jobId}`);
  return { fileName: row.file_name ?? `diagnostics-${jobId}`, contentType: row.content_type ?? 'application/octet-stream', content: row.content };
}

const JOB_COLUMNS = [
  'id', 'charger_id', 'status', 'file_name', 'start_time', 'stop_time', 'retries', 'retry_interval', 'size_bytes', 'received_at',
  'requested_by', 'created_at', 'updated_at',
] as const;

export async function getDiagnosticsJob(db: Db, id: number): Promise<DiagnosticsJob> {
  const row = await db.selectFrom('diagnostics_jobs').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Diagnostics job ${id}`);
  return (await withSteps(db, [row]))[0]!;
}

/** A charger's jobs, newest first. */
export async function listDiagnosticsJobs(db: Db, chargerId: ChargerId): Promise<DiagnosticsJob[]> {
  await getCharger(db, chargerId);
  const rows = await db.selectFrom('diagnostics_jobs').select(JOB_COLUMNS).where('charger_id', '=', chargerId).orderBy('id', 'desc').limit(100).execute();
  return withSteps(db, rows);
}

type JobRow = {
  id: number; charger_id: number; status: DiagnosticsJobStatus; file_name: string | null; start_time: Date | null; stop_time: Date | null;
  retries: number | null; retry_interval: number | null; size_bytes: number | null; received_at: Date | null; requested_by: number | null;
  created_at: Date; updated_at: Date;
};

async function withSteps(db: Db, rows: JobRow[]): Promise<DiagnosticsJob[]> {
  const steps = rows.length === 0 ? [] : await db.selectFrom('diagnostics_job_steps').select(['job_id', 'status', 'received_at'])
    .where('job_id', 'in', rows.map((row) => row.id)).orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    chargerId: row.charger_id,
    status: row.status,
    fileName: row.file_name,
    startTime: row.start_time,
    stopTime: row.stop_time,
    retries: row.retries,
    retryInterval: row.retry_interval,
    sizeBytes: row.size_bytes,
    receivedAt: row.received_at,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    steps: steps.filter((step) => step.job_id === row.id).map((step) => ({ status: step.status, receivedAt: step.received_at })),
  }));
}
