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
