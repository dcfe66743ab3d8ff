// @peculiar/x509 needs the Reflect metadata API before it is loaded.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Smallest keys a charger's certificate may have (Security Whitepaper: RSA ≥ 2048, EC ≥ 256 bits). */
const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;
const EC_BITS: Record<string, number> = { prime256v1: 256, 'P-256': 256, secp256k1: 256, secp384r1: 384, 'P-384': 384, secp521r1: 521, 'P-521': 521 };
/** How long a signed charger certificate is valid. */
const VALIDITY_DAYS = 365;

export type CsrCheck = { ok: true; csr: x509.Pkcs10CertificateRequest } | { ok: false; reason: string };

/** The size of a public key in bits and its kind, as the Security Whitepaper judges keys. */
function keyStrength(key: KeyObject): { kind: string; bits: number } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return { kind: 'RSA', bits: details.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') return { kind: 'EC', bits: EC_BITS[details.namedCurve ?? ''] ?? 0 };
  return { kind: key.asymmetricKeyType ?? 'unknown', bits: 0 };
}

/**
 * Checks a charger's certificate signing request (SignCertificate, Security Whitepaper
 * use case A02/A03): a PEM PKCS#10 request whose signature is valid, whose subject's
 * common name is the charger's identity (and organisation the operator's, when one is
 * configured), with an RSA key of at least 2048 bits or an EC key of at least 256.
 */
export async function checkCsr(pem: string, identity: string, organisation?: string): Promise<CsrCheck> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch (error) {
    return { ok: false, reason: `not a PEM certificate signing request (${(error as Error).message})` };
  }
  const commonNames = csr.subjectName.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== identity) return { ok: false, reason: `subject CN is ${JSON.stringify(commonNames)}, not the charger's identity` };
  if (organisation) {
    const organisations = csr.subjectName.getField('O');
    if (organisations.length !== 1 || organisations[0] !== organisation) return { ok: false, reason: `subject O is ${JSON.stringify(organisations)}, not ${organisation}` };
  }
  let strength: { kind: string; bits: number };
  try {
    strength = keyStrength(createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' }));
  } catch (error) {
    return { ok: false, reason: `unreadable public key (${(error as Error).message})` };
  }
  const enough = strength.kind === 'RSA' ? strength.bits >= MIN_RSA_BITS : strength.kind === 'EC' ? strength.bits >= MIN_EC_BITS : false;
  if (!enough) return { ok: false, reason: `${strength.kind} key of ${strength.bits} bits is too weak (RSA ≥ ${MIN_RSA_BITS}, EC ≥ ${MIN_EC_BITS})` };
  const signed = await csr.verify().catch(() => false);
  if (!signed) return { ok: false, reason: 'the request\'s signature is not valid' };
  return { ok: true, csr };
}

/** The WebCrypto algorithm a CA key signs with. */
function signingAlgorithm(key: KeyObject): { import: EcKeyImportParams | RsaHashedImportParams; sign: EcdsaParams | Algorithm } {
  if (key.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new Error(`the CA key's curve ${key.asymmetricKeyDetails?.namedCurve} is not supported`);
    const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
    return { import: { name: 'ECDSA', namedCurve: curve }, sign: { name: 'ECDSA', hash } as EcdsaParams };
  }
  if (key.asymmetricKeyType === 'rsa') return { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } };
  throw new Error(`the CA key is ${key.asymmetricKeyType}; RSA or EC is needed`);
}

/**
 * The operator's CA, which signs chargers' certificates (CSMS_CA_CERT_FILE, CSMS_CA_KEY_FILE).
 * A certificate it signs names the charger as the request did, serves TLS client
 * authentication, and comes back as a chain: the charger's certificate, then the CA's.
 */
export class CertificateAuthority {
  private constructor(private readonly certificate: x509.X509Certificate, private readonly certificatePem: string, private readonly key: CryptoKey, private readonly algorithm: Algorithm) {}

  static async fromPem(certificatePem: string, keyPem: string): Promise<CertificateAuthority> {
    const certificate = new x509.X509Certificate(certificatePem.trim());
    const keyObject = createPrivateKey(keyPem);
    const algorithm = signingAlgorithm(keyObject);
    const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm.import, false, ['sign']) as CryptoKey;
    return new CertificateAuthority(certificate, certificate.toString('pem'), key, algorithm.sign);
  }

  static async fromFiles(certificateFile: string, keyFile: string): Promise<CertificateAuthority> {
    return CertificateAuthority.fromPem(await fs.readFile(certificateFile, 'utf8'), await fs.readFile(keyFile, 'utf8'));
  }

  /** Signs a checked request; the PEM chain CertificateSigned carries. */
  async sign(csr: x509.Pkcs10CertificateRequest, now = new Date()): Promise<string> {
    const serial = randomBytes(16);
    serial[0]! &= 0x7f;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject: csr.subjectName,
      issuer: this.certificate.subjectName,
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + VALIDITY_DAYS * 86_400_000),
      publicKey: csr.publicKey,
      signingKey: this.key,
      signingAlgorithm: this.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate),
      ],
    });
    return `${certificate.toString('pem')}\n${this.certificatePem}\n`;
  }
}

export type SigningOutcome = { accepted: true; certificateChain: string } | { accepted: false; reason: string };

/**
 * Signs chargers' certificates with the operator's CA, when one is configured: read from
 * its files on first use (a file that cannot be read refuses every request, with the
 * reason in the log, until the next start).
 */
export class ChargerCertificates {
  #authority: Promise<CertificateAuthority> | undefined;

  constructor(private readonly settings: { caCertFile: string; caKeyFile: string; organisation: string }) {}

  get configured(): boolean {
    return this.settings.caCertFile !== '' && this.settings.caKeyFile !== '';
  }

  /** A charger's SignCertificate: its request checked and, when it passes, signed. */
  async sign(identity: string, csrPem: string): Promise<SigningOutcome> {
    if (!this.configured) return { accepted: false, reason: 'no CA is configured (CSMS_CA_CERT_FILE, CSMS_CA_KEY_FILE)' };
    const check = await checkCsr(csrPem, identity, this.settings.organisation || undefined);
    if (!check.ok) return { accepted: false, reason: check.reason };
    let authority: CertificateAuthority;
    try {
      authority = await (this.#authority ??= CertificateAuthority.fromFiles(this.settings.caCertFile, this.settings.caKeyFile));
    } catch (error) {
      return { accepted: false, reason: `the CA cannot be loaded: ${(error as Error).message}` };
    }
    return { accepted: true, certificateChain: await authority.sign(check.csr) };
  }
}
