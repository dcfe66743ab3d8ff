import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

/**
 * What the firmware and diagnostics routes share: the base of the URLs given to chargers, raw
 * bodies, and files sent back as downloads.
 */

/**
 * The base of a URL a charger is sent to: PUBLIC_URL, else the scheme and Host the admin's
 * request came in with (behind a proxy, as TRUST_PROXY lets it tell). Chargers reach the
 * server as the admin does only then; set PUBLIC_URL when they do not (e.g. the admin uses localhost).
 */
export const chargerFacingBase = (config: Config, request: FastifyRequest) => config.publicUrl || `${request.protocol}://${request.host}`;

/** A raw body as a byte array; a request without a body has none (the app turns a missing body into {}). */
export const bytesOf = (body: unknown): Buffer => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));

/** Any bytes, documented as such; the schema has no `type`, so the Buffer a parser gives passes validation. */
export const binary = (description: string) => Type.Unsafe<Buffer>({ description, contentMediaType: 'application/octet-stream', examples: ['(the file\'s bytes)'] });

/** A header-safe file name: the ASCII fallback of `filename`, the exact one in `filename*` (RFC 6266). */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Sends stored bytes as a download. Always application/octet-stream with nosniff, whatever the
 * uploader claimed: a charger's upload must never be rendered by an admin's browser as a page of ours.
 */
export function sendFile(reply: FastifyReply, fileName: string, content: Uint8Array) {
  return reply
    .type('application/octet-stream')
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', contentDisposition(fileName))
    .send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
}
