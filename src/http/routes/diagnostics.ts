import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  diagnosticsFile, getDiagnosticsJob, listDiagnosticsJobs, receiveDiagnosticsUpload, startDiagnostics, type DiagnosticsJob,
} from '../../domain/diagnostics.ts';
import { DomainError } from '../../domain/errors.ts';
import type { App, HttpContext } from '../context.ts';
import { binary, bytesOf, chargerFacingBase, sendFile } from '../fileTransfer.ts';
import { json, operation, TAG } from '../openapi.ts';
import { IdParam } from '../schemas.ts';

const DiagnosticsJobJson = Type.Object({
  id: Type.Integer(),
  chargerId: Type.Integer({ description: 'The charger (connectorID)' }),
  status: Type.String({
    description: '`Requested` until the charger reports; then its DiagnosticsStatusNotification status (Uploading, Uploaded, UploadFailed); '
      + '`Superseded` when a newer request was sent to the charger',
  }),
  fileName: Type.Union([Type.String(), Type.Null()], { description: 'The file name the charger answered; null: it has no diagnostics to upload' }),
  startTime: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  stopTime: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  retries: Type.Union([Type.Integer(), Type.Null()]),
  retryInterval: Type.Union([Type.Integer(), Type.Null()], { description: 'Seconds' }),
  sizeBytes: Type.Union([Type.Integer(), Type.Null()], { description: 'Size of the uploaded file; null until it arrived' }),
  receivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the upload arrived' }),
  requestedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'The admin who asked' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  steps: Type.Array(Type.Object({ status: Type.String(), receivedAt: Type.String({ format: 'date-time' }) }), {
    description: 'Every status the charger reported for this job (Idle included), oldest first',
  }),
}, { $id: 'DiagnosticsJob', description: 'A GetDiagnostics sent to a charger, and its upload' });

const iso = (date: Date | null) => date?.toISOString() ?? null;
const jobJson = (job: DiagnosticsJob) => ({
  ...job,
  startTime: iso(job.startTime),
  stopTime: iso(job.stopTime),
  receivedAt: iso(job.receivedAt),
  createdAt: job.createdAt.toISOString(),
  updatedAt: job.updatedAt.toISOString(),
  steps: job.steps.map((step) => ({ status: step.status, receivedAt: step.receivedAt.toISOString() })),
});

const exampleJob = {
  id: 4, chargerId: 100001, status: 'Uploaded', fileName: 'diagnostics-100001.log', startTime: null, stopTime: null, retries: null, retryInterval: null,
  sizeBytes: 2048, receivedAt: '2025-06-02T09:00:04.000Z', requestedBy: 1, createdAt: '2025-06-02T09:00:00.000Z', updatedAt: '2025-06-02T09:00:05.000Z',
  steps: [{ status: 'Uploading', receivedAt: '2025-06-02T09:00:01.000Z' }, { status: 'Uploaded', receivedAt: '2025-06-02T09:00:05.000Z' }],
};

const JobId = Type.Object({ jobId: Type.Integer({ minimum: 0, maximum: 2147483647, description: 'The job', examples: [4] }) });
const tag = TAG.chargers;

/** A multipart body's first file, as the WHATWG multipart parser built into Node reads it; a raw body as it is. */
async function uploadedContent(request: FastifyRequest): Promise<{ content: Buffer; contentType: string | null }> {
  const body = bytesOf(request.body);
  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) return { content: body, contentType: contentType || null };
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new DomainError('invalid', ['invalidInput'], 'The multipart body cannot be read');
  }
  for (const value of form.values()) {
    if (typeof value !== 'string') return { content: Buffer.from(await value.arrayBuffer()), contentType: value.type || null };
  }
  throw new DomainError('invalid', ['invalidInput'], 'The multipart body has no file');
}

/**
 * GetDiagnostics jobs. The charger uploads its file by HTTP PUT or POST to
 * `/diagnostics-uploads/{token}` (the job's unguessable token is the credential; no rate limit);
 * admins read the jobs and download the files. FTP is not served.
 */
export function diagnosticsRoutes({ db, guards, gateway, config }: HttpContext) {
  const maxBytes = config.fileTransfers.diagnosticsMaxBytes;
  return async (app: App) => {
    app.addSchema(DiagnosticsJobJson);
    const JobRef = Type.Ref(DiagnosticsJobJson);

    app.post('/chargers/:id/diagnostics', {
      onRequest: guards.admin,
      schema: operation({
        id: 'requestChargerDiagnostics', tag, access: 'admin', summary: 'Ask a charger for its diagnostics',
        description: 'Creates a job and sends GetDiagnostics with `location` = `<base>/diagnostics-uploads/<token>`, where `<base>` is PUBLIC_URL, '
          + 'or else the scheme and host this request came in with, and `<token>` is the job\'s own secret. The charger uploads the file there '
          + 'by HTTP PUT or POST (FTP is not served); the job keeps the file name the charger answered and follows its DiagnosticsStatusNotifications.',
        errors: {
          400: 'Invalid body',
          404: 'No charger has this connectorID',
          409: { description: 'The charger is not connected', codes: ['chargerOffline'], message: 'Charger 100001 is not connected' },
          502: 'The charger answered with a CALLERROR',
          503: 'The database, or the node holding the charger, cannot be reached right now',
          504: 'The charger did not answer within OCPP_CALL_TIMEOUT',
        },
      }, {
        params: IdParam('invalidconnectorID', 'connectorID of the charger', 100001),
        body: Type.Object({
          startTime: Type.Optional(Type.String({ format: 'date-time', description: 'The oldest information to include' })),
          stopTime: Type.Optional(Type.String({ format: 'date-time', description: 'The newest information to include' })),
          retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
          retryInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, description: 'Seconds' })),
        }, { additionalProperties: false, examples: [{}] }),
        response: {
          201: json('The job, with the file name the charger answered', JobRef, { ...exampleJob, status: 'Requested', sizeBytes: null, receivedAt: null, steps: [] }),
        },
      }),
    }, async (request, reply) => {
      const { startTime, stopTime, retries, retryInterval } = request.body;
      const base = chargerFacingBase(config, request);
      const job = await startDiagnostics(db, gateway, request.params.id, {
        retries, retryInterval, ...(startTime !== undefined && { startTime: new Date(startTime) }), ...(stopTime !== undefined && { stopTime: new Date(stopTime) }),
      }, request.auth!.userId, (token) => `${base}/diagnostics-uploads/${token}`);
      return reply.status(201).send(jobJson(job));
    });

    app.get('/chargers/:id/diagnostics', {
      onRequest: guards.admin,
      schema: operation({
        id: 'listChargerDiagnostics', tag, access: 'admin', summary: 'A charger\'s diagnostics jobs',
        description: 'The charger\'s last 100 diagnostics jobs, newest first, each with the statuses it reported.',
        errors: { 400: 'The id is not an integer', 404: 'No charger has this connectorID' },
      }, {
        params: IdParam('invalidconnectorID', 'connectorID of the charger', 100001),
        response: { 200: json('The jobs; `[]` when there are none', Type.Array(JobRef), [exampleJob]) },
      }),
    }, async (request) => (await listDiagnosticsJobs(db, request.params.id)).map(jobJson));

    app.get('/diagnostics/:jobId', {
      onRequest: guards.admin,
      schema: operation({
        id: 'getDiagnosticsJob', tag, access: 'admin', summary: 'A diagnostics job',
        description: 'One diagnostics job with the statuses the charger reported and whether its file arrived.',
        errors: { 400: 'The job id is not an integer', 404: 'No such job' },
      }, {
        params: JobId,
        response: { 200: json('The job', JobRef, exampleJob) },
      }),
    }, async (request) => jobJson(await getDiagnosticsJob(db, request.params.jobId)));

    app.get('/diagnostics/:jobId/file', {
      onRequest: guards.admin,
      schema: operation({
        id: 'downloadDiagnosticsFile', tag, access: 'admin', summary: 'Download a charger\'s diagnostics file',
        description: 'The file the charger uploaded for the job, as it arrived, under the name the charger gave it (always sent as '
          + '`application/octet-stream`).',
        errors: { 400: 'The job id is not an integer', 404: 'No such job, or its file has not arrived' },
      }, {
        params: JobId,
        response: { 200: { description: 'The diagnostics file', content: { 'application/octet-stream': { schema: binary('The file as uploaded') } } } },
      }),
    }, async (request, reply) => {
      const file = await diagnosticsFile(db, request.params.jobId);
      return sendFile(reply, file.fileName, file.content);
    });

    // The charger's upload takes any content type as raw bytes (a multipart form is unpacked): a plugin of its own keeps the parser here.
    await app.register(async (uploads: App) => {
      uploads.removeAllContentTypeParsers();
      uploads.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
      const upload = (method: 'PUT' | 'POST') => operation({
        id: method === 'PUT' ? 'putDiagnosticsUpload' : 'postDiagnosticsUpload', tag, access: 'public',
        summary: `A charger uploads its diagnostics (HTTP ${method})`,
        description: 'The URL a GetDiagnostics sends a charger to. The body is the file: raw bytes of any content type, or a '
          + '`multipart/form-data` form whose first file is taken; at most DIAGNOSTICS_MAX_BYTES. The token is the credential; it takes uploads '
          + 'until the job is Uploaded or Superseded (a retry replaces an earlier file). Not rate-limited.',
        errors: {
          400: 'A multipart body without a file',
          404: { description: 'Unknown token, or a job that has ended', codes: ['notFoundError'], message: 'Diagnostics upload not found' },
          413: 'The file is larger than DIAGNOSTICS_MAX_BYTES',
        },
      }, {
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100, description: 'The job\'s token', examples: ['kP2v9R0xq1mZ8c4TqJtYH3sW6bN5dL7fA0eGiUoXyVw'] }) }),
        body: { content: { 'application/octet-stream': { schema: binary('The diagnostics file') } } },
        response: { 200: json('The file was kept', Type.Object({ sizeBytes: Type.Integer({ description: 'Bytes kept' }) }), { sizeBytes: 2048 }) },
      });
      const receive = async (request: FastifyRequest<{ Params: { token: string } }>) => {
        const { content, contentType } = await uploadedContent(request);
        await receiveDiagnosticsUpload(db, request.params.token, content, contentType);
        return { sizeBytes: content.byteLength };
      };
      uploads.put('/diagnostics-uploads/:token', { bodyLimit: maxBytes, schema: upload('PUT') }, receive);
      uploads.post('/diagnostics-uploads/:token', { bodyLimit: maxBytes, schema: upload('POST') }, receive);
    });
  };
}
