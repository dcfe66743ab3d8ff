import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { ChargerGateway } from './chargerGateway.ts';
import { DomainError, notFound } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { ChargerId } from './units.ts';

export interface PasswordRotation {
  /** The charger's answer to ChangeConfiguration AuthorizationKey. */
  status: 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';
  /** The new password, when the charger accepted it (and it is stored); shown only here. */
  password: string | null;
}

/**
 * A new Basic Auth password for a charger (security profiles 0–2): generated here (20 random
 * bytes as 40 hex characters, within the whitepaper's 16–40 of AuthorizationKey), sent with
 * ChangeConfiguration AuthorizationKey, and stored (its hash) only when the charger answers
 * Accepted; otherwise the old password stays. A charger that is not connected, does not answer
 * (OCPP_CALL_TIMEOUT) or answers with a CALLERROR keeps its password too.
 */
export async function rotateChargerPassword(db: Db, gateway: ChargerGateway, id: ChargerId): Promise<PasswordRotation> {
  const row = await db.selectFrom('chargers').select(['security_profile']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Charger ${id}`);
  if (row.security_profile === 3) {
    throw new DomainError('conflict', ['securityProfileCertificate'], 'The charger uses security profile 3: it authenticates with its client certificate, not a password');
  }
  const password = randomBytes(20).toString('hex');
  // Hashed before it is sent, so it is stored the moment the charger accepts it.
  const passwordHash = await hashPassword(password);
  const answer = await gateway.send(id, 'ChangeConfiguration', { key: 'AuthorizationKey', value: password }, { subsystem: 'security' });
  if (answer.status !== 'Accepted') return { status: answer.status, password: null };
  await db.updateTable('chargers').set({ password_hash: passwordHash, updated_at: new Date() }).where('id', '=', id).execute();
  return { status: 'Accepted', password };
}
