import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Db } from '../db/connection.ts';
import { Batcher } from '../db/batcher.ts';
import { findChargersByIdentity, registerUnknownCharger, type ChargerAdmission } from '../domain/chargerPresence.ts';
import { verifyPassword } from '../domain/passwords.ts';
import { clientCertificateProblem } from './clientCertificate.ts';
import { Refusal } from './upgradeServer.ts';

/**
 * What an identity may not hold: `:` (it doubles as the Basic-Auth user name, ocpp-j-rules
 * §1.1) and control characters (C0, DEL, C1). NUL in particular: PostgreSQL text cannot hold
 * it, and the lookup batches identities from many upgrades into one statement, so one such
 * identity would fail every upgrade in its batch.
 */
const FORBIDDEN_IN_IDENTITY = /[:\u0000-\u001f\u007f-\u009f]/;
/** A self-registered identity becomes the charger's serial number, which holds at most 36 characters. */
const MAX_REGISTERED_IDENTITY = 36;

const NO_IDENTITY = new Refusal(404, 'No charge point identity in the path');
const MALFORMED_IDENTITY = new Refusal(400, 'Malformed charge point identity in the path: percent-encode it as UTF-8; no ":" and no control characters');
const UNKNOWN = new Refusal(404, 'Unknown charge point');
const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="FlexiCharge OCPP"' };
const WRONG_CREDENTIALS = new Refusal(401, 'Wrong or missing credentials', BASIC_CHALLENGE);
const NO_PASSWORD_SET = new Refusal(401, 'No password is set for this charger, which its security profile requires', BASIC_CHALLENGE);
const TLS_REQUIRED = new Refusal(403, 'This charger\'s security profile requires wss:// (TLS)');

/** Whether the upgrade came over the TLS port. */
function overTls(request: IncomingMessage): boolean {
  return (request.socket as TLSSocket).encrypted === true;
}

/**
 * The charge point identity: the last path segment, percent-decoded (`/charger/<id>`,
 * `/connector/<id>`, `/<any>/<id>`); undefined when there is none or it cannot be one
 * (the upgrade is then refused: 404 without one, 400 for one that is malformed).
 */
export function identityFromPath(url: string): string | undefined {
  const identity = pathIdentity(url);
  return typeof identity === 'string' ? identity : undefined;
}

/** A path's last segment that cannot be an identity (bad percent-encoding, `:`, control characters). */
const MALFORMED = Symbol('malformed');

/** The identity in a path; undefined when the path has no segment, MALFORMED when its last one cannot be an identity. */
function pathIdentity(url: string): string | typeof MALFORMED | undefined {
  const path = url.split('?')[0] ?? '';
  const last = path.split('/').filter(Boolean).at(-1);
  if (!last) return undefined;
  let identity: string;
  try {
    identity = decodeURIComponent(last);
  } catch {
    return MALFORMED;
  }
  return FORBIDDEN_IN_IDENTITY.test(identity) ? MALFORMED : identity;
}

/** Remembered credentials: a fleet's worth; beyond it the least recently used are forgotten. */
const MAX_REMEMBERED_CREDENTIALS = 50_000;

/**
 * OCPP security profile 1: HTTP Basic with the identity as user name. Successful
 * credentials are remembered (by hash, with the password hash they matched, so a changed
 * password on any node voids them) so a reconnect storm does not re-run argon2 for every
 * charger.
 */
export class BasicAuth {
  /** In least-recently-used order: a hit moves its entry to the end. */
  readonly #verified = new Map<string, string>();

  constructor(private readonly capacity = MAX_REMEMBERED_CREDENTIALS) {}

  async check(admission: ChargerAdmission, header: string | undefined): Promise<boolean> {
    if (!admission.passwordHash) return true;
    if (!header?.startsWith('Basic ')) return false;
    const key = `${admission.id}:${createHash('sha256').update(header).digest('base64')}`;
    const remembered = this.#verified.get(key);
    this.#verified.delete(key);
    if (remembered === admission.passwordHash) {
      this.#verified.set(key, remembered);
      return true;
    }
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== admission.identity) return false;
    const ok = await verifyPassword(admission.passwordHash, decoded.slice(colon + 1));
    if (ok) this.#remember(key, admission.passwordHash);
    return ok;
  }

  #remember(key: string, passwordHash: string): void {
    this.#verified.set(key, passwordHash);
    for (const oldest of this.#verified.keys()) {
      if (this.#verified.size <= this.capacity) break;
      this.#verified.delete(oldest);
    }
  }
}

/**
 * Who may open a charger connection: a known identity (or, with OCPP_AUTO_REGISTER, one
 * registered now as Pending) that brings what its security profile asks for: profile 0
 * the password when it has one, 1 the password (Basic Auth), 2 the password over TLS, 3 a
 * client certificate naming it over TLS.
 */
export class ChargerAdmissions {
  readonly #basicAuth = new BasicAuth();
  // A reconnect storm becomes one lookup per batch instead of one per charger.
  readonly #lookups: Batcher<string, ChargerAdmission | undefined>;

  constructor(private readonly db: Db, private readonly autoRegister: boolean, batchWindowMs: number) {
    this.#lookups = new Batcher((identities) => findChargersByIdentity(db, identities), batchWindowMs);
  }

  /** The charger an upgrade request is from, or why it may not connect. */
  async admit(request: IncomingMessage): Promise<ChargerAdmission | Refusal> {
    const identity = pathIdentity(request.url ?? '/');
    if (identity === MALFORMED) return MALFORMED_IDENTITY;
    if (!identity) return NO_IDENTITY;
    let admission = await this.#lookups.add(identity);
    if (!admission && this.autoRegister && identity.length <= MAX_REGISTERED_IDENTITY) admission = await registerUnknownCharger(this.db, identity);
    if (!admission) return UNKNOWN;
    const profile = admission.securityProfile;
    if (profile >= 2 && !overTls(request)) return TLS_REQUIRED;
    if (profile === 3) {
      // The certificate authenticates the charger; the whitepaper has no Basic Auth in profile 3.
      const problem = clientCertificateProblem(request.socket as TLSSocket, admission.identity);
      return problem ? new Refusal(403, `Client certificate refused: ${problem}`) : admission;
    }
    if (profile >= 1 && !admission.passwordHash) return NO_PASSWORD_SET;
    if (!(await this.#basicAuth.check(admission, request.headers.authorization))) return WRONG_CREDENTIALS;
    return admission;
  }
}
