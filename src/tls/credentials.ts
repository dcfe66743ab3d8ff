import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import tls, { type SecureContextOptions, type TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { TlsConfig } from '../config.ts';

/**
 * What the OCPP 1.6 Security Whitepaper (edition 3) allows: TLS 1.2 with ECDHE and AES-GCM
 * (the ECDSA suites for an EC certificate, the RSA ones for an RSA certificate), and the
 * TLS 1.3 AES-GCM suites. Nothing older or weaker is offered.
 */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
].join(':');

interface Files {
  cert: string;
  key: string;
  ca?: string;
}

/** The servers that serve TLS and can take new credentials without a restart. */
interface Reloadable {
  setSecureContext(options: SecureContextOptions): void;
  on(event: 'tlsClientError', listener: (error: Error, socket: tls.TLSSocket) => void): unknown;
}

/**
 * The certificate and key of the TLS servers (wss:// for chargers, https:// for the API) and
 * the CA of the chargers' client certificates. The files are read again when they change
 * (checked every TLS_RELOAD_INTERVAL) or on `reload()` (SIGHUP); new connections get the new
 * credentials, open ones keep theirs. Files that do not make a working context (a key of
 * another certificate, half-written files) are logged and the old credentials stay.
 */
export class TlsCredentials {
  readonly #servers = new Set<Reloadable>();
  #files: Files;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<boolean> | undefined;

  private constructor(private readonly config: TlsConfig, private readonly logger: Logger, files: Files) {
    this.#files = files;
  }

  /** Reads and checks the files; throws (stopping the start) when they do not make a context. */
  static async load(config: TlsConfig, logger: Logger): Promise<TlsCredentials> {
    const files = await readFiles(config);
    checkFiles(files);
    const credentials = new TlsCredentials(config, logger, files);
    credentials.#logCertificate('TLS certificate loaded');
    return credentials;
  }

  /**
   * Options for https.createServer: the context and, with a client CA, a client certificate
   * asked for but not required (the upgrade refuses a charger without one, saying why).
   * The API's server asks for none (`clientCertificates: false`).
   */
  serverOptions({ clientCertificates = true } = {}): TlsOptions {
    return { ...contextOptions(this.#files), requestCert: clientCertificates && Boolean(this.#files.ca), rejectUnauthorized: false };
  }

  /** The server takes every later reload; failed handshakes on it are logged. */
  attach(server: Reloadable): void {
    this.#servers.add(server);
    server.on('tlsClientError', (error, socket) => {
      this.logger.info({ remoteAddress: socket.remoteAddress, reason: error.message }, 'TLS handshake failed');
    });
  }

  /** Checks the files every reload interval until `close`. */
  watch(): void {
    this.#timer ??= setInterval(() => void this.reload('changed'), this.config.reloadIntervalMs);
    this.#timer.unref();
  }

  /** Reads the files again; true when they changed and the servers took them. */
  reload(reason: 'changed' | 'signal' = 'signal'): Promise<boolean> {
    this.#reloading ??= this.#reload(reason).finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#servers.clear();
  }

  async #reload(reason: 'changed' | 'signal'): Promise<boolean> {
    let files: Files;
    try {
      files = await readFiles(this.config);
    } catch (error) {
      this.logger.warn({ err: error }, 'TLS files unreadable; the servers keep their certificate');
      return false;
    }
    if (files.cert === this.#files.cert && files.key === this.#files.key && files.ca === this.#files.ca) {
      if (reason === 'signal') this.logger.info('TLS files unchanged');
      return false;
    }
    const options = contextOptions(files);
    try {
      checkFiles(files);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'new TLS files do not make a working context; the servers keep their certificate');
      return false;
    }
    for (const server of this.#servers) server.setSecureContext(options);
    this.#files = files;
    this.#logCertificate('TLS certificate reloaded');
    return true;
  }

  #logCertificate(message: string): void {
    try {
      const certificate = new X509Certificate(this.#files.cert);
      const expires = new Date(certificate.validTo);
      const details = { subject: certificate.subject.replaceAll('\n', ', '), fingerprint256: certificate.fingerprint256, validTo: expires.toISOString(), clientCa: Boolean(this.#files.ca) };
      if (expires.getTime() - Date.now() < 30 * 86_400_000) this.logger.warn(details, `${message}; it expires within 30 days`);
      else this.logger.info(details, message);
    } catch (error) {
      this.logger.warn({ err: error }, message);
    }
  }
}

async function readFiles(config: TlsConfig): Promise<Files> {
  const [cert, key, ca] = await Promise.all([
    fs.readFile(config.certFile, 'utf8'),
    fs.readFile(config.keyFile, 'utf8'),
    config.clientCaFile ? fs.readFile(config.clientCaFile, 'utf8') : undefined,
  ]);
  return { cert, key, ca };
}

/**
 * Throws unless the files make a working context: a certificate, its own private key, and
 * the client CA's certificate(s) when one is configured. (A file caught half-written is
 * empty or cut short, which OpenSSL alone would not always refuse.)
 */
function checkFiles(files: Files): void {
  const certificate = new X509Certificate(files.cert);
  if (!certificate.checkPrivateKey(createPrivateKey(files.key))) throw new Error('the private key is not the certificate\'s');
  if (files.ca !== undefined && !files.ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error('the client CA file holds no certificate');
  if (files.ca !== undefined) new X509Certificate(files.ca);
  tls.createSecureContext(contextOptions(files));
}

function contextOptions(files: Files): SecureContextOptions {
  return { cert: files.cert, key: files.key, ...(files.ca ? { ca: files.ca } : {}), minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true };
}
