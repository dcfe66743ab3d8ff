import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A certificate and its private key, as PEM. */
export interface Pem {
  cert: string;
  key: string;
}

/** A throwaway CA that signs server and client certificates for tests. */
export interface TestCa extends Pem {
  issue(options: { cn: string; server?: boolean; san?: string[]; notBefore?: Date; notAfter?: Date }): Promise<Pem>;
}

let serial = 1;

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as never));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

const keys = () => webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as unknown as Promise<CryptoKeyPair>;

/** A new CA (EC P-256), valid from a day ago for a year. */
export async function createTestCa(name = 'FlexiCharge Test CA'): Promise<TestCa> {
  const caKeys = await keys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    cert: caCert.toString('pem'),
    key: await keyPem(caKeys.privateKey),
    async issue({ cn, server = false, san = [], notBefore = new Date(Date.now() - DAY), notAfter = new Date(Date.now() + 30 * DAY) }) {
      const leafKeys = await keys();
      const names = san.map((value) => (/^[\d.]+$/.test(value) ? { type: 'ip' as const, value } : { type: 'dns' as const, value }));
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: `CN=${cn}`,
        issuer: caCert.subject,
        notBefore,
        notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
          ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        ],
      });
      return { cert: cert.toString('pem'), key: await keyPem(leafKeys.privateKey) };
    },
  };
}
