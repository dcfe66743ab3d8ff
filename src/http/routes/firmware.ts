import { Type } from '@sinclair/typebox';
import {
  deleteFirmware, firmwareForDownload, getFirmwareJob, listFirmware, listFirmwareJobs, startFirmwareUpdate, storeFirmware,
  type FirmwareFile, type FirmwareJob,
} from '../../domain/firmware.ts';
import type { App, HttpContext } from '../context.ts';
import { binary, bytesOf, chargerFacingBase, sendFile } from '../fileTransfer.ts';
import { json, noContent, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const FirmwareJson = Type.Object({
  id: Type.Integer({ description: 'Pass as `firmwareId` to `POST /chargers/{id}/firmware-updates`' }),
  name: Type.String(),
  version: Type.Union([Type.String(), Type.Null()]),
  sizeBytes: Type.Integer(),
  sha256: Type.String({ description: 'Hex SHA-256 of the file' }),
  uploadedAt: Type.String({ format: 'date-time' }),
}, { $id: 'FirmwareFile', description: 'A firmware file chargers can be updated with' });

const StepJson = Type.Object({
  status: Type.String({ description: 'The status the charger reported' }),
  receivedAt: Type.String({ format: 'date-time' }),
});

const FirmwareJobJson = Type.Object({
  id: Type.Integer(),
  chargerId: Type.Integer({ description: 'The charger (connectorID)' }),
  firmwareId: Type.Union([Type.Integer(), Type.Null()], { description: 'null once the file was deleted' }),
  status: Type.String({
    description: '`Requested` until the charger reports; then its FirmwareStatusNotification status (Downloading, Downloaded, DownloadFailed, '
      + 'Installing, Installed, InstallationFailed); `Superseded` when a newer update was sent to the charger',
  }),
  retrieveDate: Type.String({ format: 'date-time', description: 'When the charger was told to fetch the file' }),
  retries: Type.Union([Type.Integer(), Type.Null()]),
  retryInterval: Type.Union([Type.Integer(), Type.Null()], { description: 'Seconds' }),
  downloads: Type.Integer({ description: 'How often the charger fetched the file' }),
  requestedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'The admin who sent it' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  steps: Type.Array(StepJson, { description: 'Every status the charger reported for this job (Idle included), oldest first' }),
}, { $id: 'FirmwareJob', description: 'An UpdateFirmware sent to a charger, and how far it got' });

const fileJson = (file: FirmwareFile) => ({ ...file, uploadedAt: file.uploadedAt.toISOString() });
const jobJson = (job: FirmwareJob) => ({
  ...job,
  retrieveDate: job.retrieveDate.toISOString(),
  createdAt: job.createdAt.toISOString(),
  updatedAt: job.updatedAt.toISOString(),
  steps: job.steps.map((step) => ({ status: step.status, receivedAt: step.receivedAt.toISOString() })),
});

const exampleFile = {
  id: 3, name: 'evb-fw-2.4.1.bin', version: '2.4.1', sizeBytes: 1048576,
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', uploadedAt: '2025-06-02T08:00:00.000Z',
};
const exampleJob = {
  id: 12, chargerId: 100001, firmwareId: 3, status: 'Installed', retrieveDate: '2025-06-02T08:05:00.000Z', retries: null, retryInterval: null,
  downloads: 1, requestedBy: 1, createdAt: '2025-06-02T08:05:00.000Z', updatedAt: '2025-06-02T08:07:10.000Z',
  steps: [
    { status: 'Downloading', receivedAt: '2025-06-02T08:05:01.000Z' }, { status: 'Downloaded', receivedAt: '2025-06-02T08:05:20.000Z' },
    { status: 'Installing', receivedAt: '2025-06-02T08:05:21.000Z' }, { status: 'Installed', receivedAt: '2025-06-02T08:07:10.000Z' },
  ],
};

const ChargerId = IdParam('invalidconnectorID', 'connectorID of the charger', 100001);
const tag = TAG.chargers;

/**
 * Firmware files and updates. Admins upload a file and send it to a charger; the charger
 * downloads it from `/firmware-downloads/{token}`, where the job's unguessable token is the
 * only credential (chargers send none over HTTP) and no rate limit applies.
 */
export function firmwareRoutes({ db, guards, gateway, config }: HttpContext) {
  const maxBytes = config.fileTransfers.firmwareMaxBytes;
  return async (app: App) => {
    app.addSchema(FirmwareJson);
    app.addSchema(FirmwareJobJson);
    // The upload takes raw bytes only (anything else is 415): a plugin of its own keeps the parser here.
    await app.register(async (uploads: App) => {
      uploads.removeAllContentTypeParsers();
      uploads.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
      uploads.post('/firmware', {
        onRequest: guards.admin,
        bodyLimit: maxBytes,
        schema: operation({
          id: 'uploadFirmware', tag, access: 'admin', summary: 'Upload a firmware file',
          description: 'Stores the body (`Content-Type: application/octet-stream`, at most FIRMWARE_MAX_BYTES) as a firmware file named `name`, '
            + 'with its size and SHA-256. It is kept in the database, so every node can serve it to chargers.',
          errors: {
            400: { description: 'No name, or an empty file', codes: ['invalidInput'], message: 'The firmware file is empty' },
            413: 'The file is larger than FIRMWARE_MAX_BYTES',
            415: 'The body is not application/octet-stream',
          },
        }, {
          querystring: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 255, description: 'The file\'s name', examples: ['evb-fw-2.4.1.bin'] }),
            version: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'The firmware version it installs', examples: ['2.4.1'] })),
          }),
          body: { content: { 'application/octet-stream': { schema: binary('The firmware file') } } },
          response: { 201: json('The stored file', Type.Ref(FirmwareJson), exampleFile) },
        }),
      }, async (request, reply) => {
        const file = await storeFirmware(db, {
          name: request.query.name, version: request.query.version ?? null, content: bytesOf(request.body), uploadedBy: request.auth!.userId,
        });
        return reply.status(201).send(fileJson(file));
      });
    });

    app.get('/firmware', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listFirmware', tag, access: 'admin', summary: 'The firmware files',
        description: 'Every uploaded firmware file, newest first (without its bytes).',
      }, {
        response: { 200: json('The files; `[]` when there are none', Type.Array(Type.Ref(FirmwareJson)), [exampleFile]) },
      }),
    }, async () => (await listFirmware(db)).map(fileJson));

    app.delete('/firmware/:id', {
      onRequest: guards.admin,
      schema: operation({
        id: 'deleteFirmware', tag, access: 'admin', summary: 'Delete a firmware file',
        description: 'Removes the file. Its update jobs stay; a charger that has not fetched it yet gets 404 and reports DownloadFailed.',
        errors: { 400: 'The id is not an integer', 404: 'No firmware file has this id' },
      }, {
        params: IdParam('invalidInput', 'The firmware file', 3),
        response: { 204: noContent('Deleted') },
      }),
    }, async (request, reply) => {
      await deleteFirmware(db, request.params.id);
      return reply.status(204).send(null);
    });

    app.post('/chargers/:id/firmware-updates', {
      onRequest: guards.admin,
      schema: operation({
        id: 'updateChargerFirmware', tag, access: 'admin', summary: 'Send a firmware update to a charger',
        description: 'Creates a job and sends UpdateFirmware with `location` = `<base>/firmware-downloads/<token>`, where `<base>` is PUBLIC_URL, '
          + 'or else the scheme and host this request came in with, and `<token>` is the job\'s own secret. `retrieveDate` defaults to now. '
          + 'The job follows the charger\'s FirmwareStatusNotifications; an unfinished older job of the charger becomes `Superseded`.',
        errors: {
          400: 'Invalid body',
          404: { description: 'No such charger or firmware file', codes: ['firmwareNotFound'], message: 'Firmware 3 not found' },
          409: { description: 'The charger is not connected', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' },
          502: 'The charger answered with a CALLERROR',
          503: 'The database, or the node holding the charger, cannot be reached right now',
          504: 'The charger did not answer within OCPP_CALL_TIMEOUT',
        },
      }, {
        params: ChargerId,
        body: Type.Object({
          firmwareId: Type.Integer({ minimum: 1, maximum: 2147483647, description: 'The firmware file' }),
          retrieveDate: Type.Optional(Type.String({ format: 'date-time', description: 'When the charger should fetch it; default now' })),
          retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
          retryInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, description: 'Seconds' })),
        }, { additionalProperties: false, examples: [{ firmwareId: 3, retrieveDate: '2025-06-02T08:05:00.000Z' }] }),
        response: { 201: json('The job, as the charger accepted it', Type.Ref(FirmwareJobJson), { ...exampleJob, status: 'Requested', downloads: 0, steps: [] }) },
      }),
    }, async (request, reply) => {
      const { firmwareId, retrieveDate, retries, retryInterval } = request.body;
      const base = chargerFacingBase(config, request);
      const job = await startFirmwareUpdate(db, gateway, request.params.id, {
        firmwareId, retries, retryInterval, ...(retrieveDate !== undefined && { retrieveDate: new Date(retrieveDate) }),
      }, request.auth!.userId, (token) => `${base}/firmware-downloads/${token}`);
      return reply.status(201).send(jobJson(job));
    });

    app.get('/chargers/:id/firmware-updates', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargerFirmwareUpdates', tag, access: 'admin', summary: 'A charger\'s firmware updates',
        description: 'The charger\'s last 100 firmware update jobs, newest first, each with the statuses it reported.',
        errors: { 400: 'The id is not an integer', 404: 'No charger has this connectorID' },
      }, {
        params: ChargerId,
        response: { 200: json('The jobs; `[]` when there are none', Type.Array(Type.Ref(FirmwareJobJson)), [exampleJob]) },
      }),
    }, async (request) => (await listFirmwareJobs(db, request.params.id)).map(jobJson));

    app.get('/firmware-updates/:jobId', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getFirmwareUpdate', tag, access: 'admin', summary: 'A firmware update job',
        description: 'One firmware update job with the statuses the charger reported.',
        errors: { 400: 'The job id is not an integer', 404: 'No such job' },
      }, {
        params: Type.Object({ jobId: Type.Integer({ minimum: 0, maximum: 2147483647, description: 'The job', examples: [12] }) }),
        response: { 200: json('The job', Type.Ref(FirmwareJobJson), exampleJob) },
      }),
    }, async (request) => jobJson(await getFirmwareJob(db, request.params.jobId)));

    app.get('/firmware-downloads/:token', {
      schema: operation({
        id: 'downloadFirmware', tag, access: 'public', summary: 'A charger downloads its firmware',
        description: 'The URL an UpdateFirmware sends a charger to. The token in the path is the credential: it serves the job\'s file until the '
          + 'job is Installed, InstallationFailed or Superseded. Not rate-limited.',
        errors: { 404: { description: 'Unknown token, an ended job, or a deleted file', codes: ['notFoundError'], message: 'Firmware download not found' } },
      }, {
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100, description: 'The job\'s token', examples: ['kP2v9R0xq1mZ8c4TqJtYH3sW6bN5dL7fA0eGiUoXyVw'] }) }),
        response: { 200: { description: 'The firmware file', content: { 'application/octet-stream': { schema: binary('The firmware file') } } } },
      }),
    }, async (request, reply) => {
      const file = await firmwareForDownload(db, request.params.token);
      return sendFile(reply, file.name, file.content);
    });
  };
}
