import type { TLSSocket } from 'node:tls';

/**
 * The common names in a certificate subject as Node prints it (one `KEY=value` per line).
 * Node escapes a value holding a separator by quoting it (JSON-style); such a value is read back.
 */
export function commonNames(subject: string | undefined): string[] {
  const names: string[] = [];
  for (const line of (subject ?? '').split('\n')) {
    if (!line.startsWith('CN=')) continue;
    const value = line.slice(3);
    if (value.startsWith('"')) {
      try {
        names.push(JSON.parse(value) as string);
        continue;
      } catch {
        // Not a quoted value after all: taken as written.
      }
    }
    names.push(value);
  }
  return names;
}

/**
 * Why a charger's TLS client certificate does not admit it (security profile 3), or
 * undefined when it does: it must chain to TLS_CLIENT_CA_FILE (OpenSSL's verdict, which the
 * server asked for and did not act on so the refusal can say why), be valid now, and name
 * the charger's identity as its subject CN (OCPP 1.6 Security Whitepaper: the Charge
 * Point's certificate subject CN is its serial number).
 */
export function clientCertificateProblem(socket: TLSSocket, identity: string, now = new Date()): string | undefined {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) return 'no client certificate';
  if (!socket.authorized) {
    const reason = socket.authorizationError;
    return `client certificate not accepted: ${reason instanceof Error ? reason.message : String(reason ?? 'not signed by the chargers\' CA')}`;
  }
  if (now < new Date(certificate.validFrom)) return `client certificate not valid before ${certificate.validFrom}`;
  if (now > new Date(certificate.validTo)) return `client certificate expired ${certificate.validTo}`;
  const names = commonNames(certificate.subject);
  if (!names.includes(identity)) return `client certificate is for ${names.length ? names.map((name) => JSON.stringify(name)).join(', ') : 'no CN'}, not this charger`;
  return undefined;
}
