import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SECURITY_ACTIONS, securitySchemas } from '../../scripts/import-security-schemas.ts';
import { checkRequest, checkResponse, isOcppAction } from '../../src/ocpp/protocol/schemas.ts';

const SCHEMAS = createRequire(import.meta.url)('../../src/ocpp/protocol/ocpp16.schemas.json') as Record<string, object>;

describe('the Security Whitepaper schemas', () => {
  it('are in ocpp16.schemas.json as the official ones (else: npx tsx scripts/import-security-schemas.ts)', () => {
    for (const [key, schema] of Object.entries(securitySchemas())) expect(SCHEMAS[key], key).toEqual(schema);
  });

  it('validate requests and responses like the others', () => {
    for (const action of SECURITY_ACTIONS) expect(isOcppAction(action), action).toBe(true);
    expect(checkRequest('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: '2024-05-01T10:00:00Z' })).toBeUndefined();
    expect(checkRequest('SecurityEventNotification', { type: 'StartupOfTheDevice' })?.code).toBe('OccurenceConstraintViolation');
    expect(checkRequest('SignCertificate', { csr: 'x'.repeat(5501) })?.code).toBe('PropertyConstraintViolation');
    expect(checkRequest('InstallCertificate', { certificateType: 'Other', certificate: 'x' })?.code).toBe('PropertyConstraintViolation');
    expect(checkRequest('GetLog', { logType: 'SecurityLog', requestId: 1, log: { remoteLocation: 'https://x.example/up' } })).toBeUndefined();
    expect(checkResponse('GetInstalledCertificateIds', { status: 'NotFound' })).toBeUndefined();
    expect(checkResponse('CertificateSigned', { status: 'Maybe' })?.code).toBe('PropertyConstraintViolation');
  });
});
