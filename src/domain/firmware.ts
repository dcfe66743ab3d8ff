import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { FirmwareJobStatus } from '../db/schema.ts';
import type { ChargerGateway } from './chargerGateway.ts';
import { getCharger } from './chargers.ts';
import { DomainError, notFound } from './errors.ts';
import type { ChargerId } from './units.ts';

/**
 * Firmware files and the UpdateFirmware jobs that hand them to chargers. A file is kept in
 * the database (bytea) rather than on a node's disk: behind a load balancer the charger's
 * download may reach any node, and the database is the one store all nodes share.
 */

export interface FirmwareFile {
  id: number;
  name: string;
  version: string | null;
  sizeBytes: number;
  sha256: string;
  uploadedAt: Date;
}

/** A FirmwareStatusNotification status (OCPP 1.6 §6.22). */
export type FirmwareStatus = 'Downloaded' | 'DownloadFailed' | 'Downloading' | 'Idle' | 'InstallationFailed' | 'Installing' | 'Installed';

export interface JobStep {
  status: string;
  receivedAt: Date;
}

export interface FirmwareJob {
  id: number;
  chargerId: ChargerId;
  firmwareId: number | null;
  status: FirmwareJobStatus;
  retrieveDate: Date;
  retries: number | null;
  retryInterval: number | null;
  /** How often the charger fetched the file. */
  downloads: number;
  requestedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
  steps: JobStep[];
}

export interface FirmwareUpdateRequest {
  firmwareId: number;
  retrieveDate?: Date;
  retries?: number;
  retryInterval?: number;
}

/** The job statuses after which the charger will not download the file again: its token serves nothing. */
const ENDED: readonly FirmwareJobStatus[] = ['Installed', 'InstallationFailed', 'Superseded'];

/** A URL credential: 256 random bits, unguessable. */
export const newJobToken = () => randomBytes(32).toString('base64url');

export async function storeFirmware(db: Db, file: { name: string; version: string | null; content: Uint8Array; uploadedBy: number }): Promise<FirmwareFile> {
  if (file.content.byteLength === 0) throw new DomainError('invalid', ['invalidInput'], 'The firmware file is empty');
  const row = await db.insertInto('firmware_files').values({
    name: file.name,
    version: file.version,
    size_bytes: file.content.byteLength,
    sha256: createHash('sha256').update(file.content).digest('hex'),
    content: file.content,
    uploaded_by: file.uploadedBy,
  }).returning(['id', 'name', 'version', 'size_bytes', 'sha256', 'created_at']).executeTakeFirstOrThrow();
  return fileOf(row);
}

export async function listFirmware(db: Db): Promise<FirmwareFile[]> {
  const rows = await db.selectFrom('firmware_files').select(['id', 'name', 'version', 'size_bytes', 'sha256', 'created_at']).orderBy('id', 'desc').execute();
  return rows.map(fileOf);
}

/** Removes a file; the jobs that pointed at it stay, and a charger that still fetches it gets 404 (DownloadFailed). */
export async function deleteFirmware(db: Db, id: number): Promise<void> {
  const deleted = await db.deleteFrom('firmware_files').where('id', '=', id).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw notFound(`Firmware ${id}`);
}

function fileOf(row: { id: number; name: string; version: string | null; size_bytes: number; sha256: string; created_at: Date }): FirmwareFile {
  return { id: row.id, name: row.name, version: row.version, sizeBytes: row.size_bytes, sha256: row.sha256, uploadedAt: row.created_at };
}

/**
 * Creates a job and sends UpdateFirmware with the job's download URL (`locationOf(token)`).
 * No transaction spans the charger's answer: the job exists before the command goes out (the
 * charger may fetch at once) and is removed again when the command fails. Older unfinished
 * jobs of the charger are Superseded: a charger follows its latest UpdateFirmware.
 */
export async function startFirmwareUpdate(
  db: Db, gateway: ChargerGateway, chargerId: ChargerId, request: FirmwareUpdateRequest, userId: number, locationOf: (token: string) => string,
): Promise<FirmwareJob> {
  await getCharger(db, chargerId);
  const file = await db.selectFrom('firmware_files').select('id').where('id', '=', request.firmwareId).executeTakeFirst();
  if (!file) throw new DomainError('notFound', ['firmwareNotFound'], `Firmware ${request.firmwareId} not found`);
  const token = newJobToken();
  const retrieveDate = request.retrieveDate ?? new Date();
  const { id } = await db.insertInto('firmware_jobs').values({
    charger_id: chargerId,
    firmware_id: request.firmwareId,
    token,
    retrieve_date: retrieveDate,
    retries: request.retries ?? null,
    retry_interval: request.retryInterval ?? null,
    requested_by: userId,
  }).returning('id').executeTakeFirstOrThrow();
  try {
    await gateway.send(chargerId, 'UpdateFirmware', {
      location: locationOf(token),
      retrieveDate: retrieveDate.toISOString(),
      ...(request.retries !== undefined && { retries: request.retries }),
      ...(request.retryInterval !== undefined && { retryInterval: request.retryInterval }),
    }, { subsystem: 'firmware', userId });
  } catch (error) {
    await db.deleteFrom('firmware_jobs').where('id', '=', id).execute();
    throw error;
  }
  await db.updateTable('firmware_jobs').set({ status: 'Superseded', updated_at: new Date() })
    .where('charger_id', '=', chargerId).where('id', '<', id).where('status', 'not in', ENDED).execute();
  return getFirmwareJob(db, id);
}

/**
 * A FirmwareStatusNotification: a step of the charger's latest unfinished job (Idle is kept
 * as a step and changes nothing). Without such a job (an update from elsewhere) nothing is kept here.
 */
export async function recordFirmwareStatus(db: Db, chargerId: ChargerId, status: FirmwareStatus): Promise<void> {
  const job = await db.selectFrom('firmware_jobs').select('id')
    .where('charger_id', '=', chargerId).where('status', 'not in', ENDED).orderBy('id', 'desc').executeTakeFirst();
  if (!job) return;
  await db.insertInto('firmware_job_steps').values({ job_id: job.id, status }).execute();
  if (status !== 'Idle') await db.updateTable('firmware_jobs').set({ status, updated_at: new Date() }).where('id', '=', job.id).execute();
}

/** The file a download token stands for, while its job may still fetch it; 404 for anything else. */
export async function firmwareForDownload(db: Db, token: string): Promise<{ name: string; content: Uint8Array }> {
  const row = await db.selectFrom('firmware_jobs')
    .innerJoin('firmware_files', 'firmware_files.id', 'firmware_jobs.firmware_id')
    .select(['firmware_jobs.id', 'firmware_files.name', 'firmware_files.content'])
    .where('firmware_jobs.token', '=', token).where('firmware_jobs.status', 'not in', ENDED)
    .executeTakeFirst();
  if (!row) throw notFound('Firmware download');
  await db.updateTable('firmware_jobs').set((eb) => ({ downloads: eb('downloads', '+', 1) })).where('id', '=', row.id).execute();
  return { name: row.name, content: row.content };
}

const JOB_COLUMNS = [
  'id', 'charger_id', 'firmware_id', 'status', 'retrieve_date', 'retries', 'retry_interval', 'downloads', 'requested_by', 'created_at', 'updated_at',
] as const;

export async function getFirmwareJob(db: Db, id: number): Promise<FirmwareJob> {
  const row = await db.selectFrom('firmware_jobs').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Firmware update ${id}`);
  return (await withSteps(db, [row]))[0]!;
}

/** A charger's jobs, newest first. */
export async function listFirmwareJobs(db: Db, chargerId: ChargerId): Promise<FirmwareJob[]> {
  await getCharger(db, chargerId);
  const rows = await db.selectFrom('firmware_jobs').select(JOB_COLUMNS).where('charger_id', '=', chargerId).orderBy('id', 'desc').limit(100).execute();
  return withSteps(db, rows);
}

type JobRow = {
  id: number; charger_id: number; firmware_id: number | null; status: FirmwareJobStatus; retrieve_date: Date; retries: number | null;
  retry_interval: number | null; downloads: number; requested_by: number | null; created_at: Date; updated_at: Date;
};

async function withSteps(db: Db, rows: JobRow[]): Promise<FirmwareJob[]> {
  const steps = rows.length === 0 ? [] : await db.selectFrom('firmware_job_steps').select(['job_id', 'status', 'received_at'])
    .where('job_id', 'in', rows.map((row) => row.id)).orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    chargerId: row.charger_id,
    firmwareId: row.firmware_id,
    status: row.status,
    retrieveDate: row.retrieve_date,
    retries: row.retries,
    retryInterval: row.retry_interval,
    downloads: row.downloads,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    steps: steps.filter((step) => step.job_id === row.id).map((step) => ({ status: step.status, receivedAt: step.received_at })),
  }));
}
