import type { Db } from '../db/connection.ts';
import type { ChargerId } from './units.ts';

/**
 * The security events the OCPP 1.6 Security Whitepaper (edition 3, its table of security
 * events) marks critical: a charger sends them at once (even while it is offline it queues
 * them), and the central system brings them to an operator's attention: they are logged
 * at warn and stored with `critical`. The table's others (FailedToAuthenticateAtCentralSystem,
 * CentralSystemFailedToAuthenticate, ReconfigurationOfSecurityParameters, InvalidMessages,
 * AttemptedReplayAttacks, InvalidFirmwareSignature, InvalidFirmwareSigningCertificate,
 * InvalidCentralSystemCertificate, InvalidChargePointCertificate, InvalidTLSVersion,
 * InvalidTLSCipherSuite) and vendors' own types are stored and logged at info.
 */
export const CRITICAL_SECURITY_EVENTS: ReadonlySet<string> = new Set([
  'FirmwareUpdated',
  'SettingSystemTime',
  'StartupOfTheDevice',
  'ResetOrReboot',
  'SecurityLogWasCleared',
  'MemoryExhaustion',
  'TamperDetectionActivated',
]);

export const isCriticalSecurityEvent = (type: string) => CRITICAL_SECURITY_EVENTS.has(type);

export interface SecurityEvent {
  id: number;
  kind: 'security' | 'log' | 'firmware';
  type: string;
  techInfo: string | null;
  critical: boolean;
  requestId: number | null;
  timestamp: Date;
  receivedAt: Date;
}

const storableTime = (date: Date) => !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999;

/** What chargers report under the Security Whitepaper, kept per charger for operators. */
export class SecurityEventRecorder {
  constructor(private readonly db: Db) {}

  /** Stores a SecurityEventNotification; says whether the event is critical. */
  async event(chargerId: ChargerId, report: { type: string; timestamp: string; techInfo?: string }): Promise<{ critical: boolean }> {
    const critical = isCriticalSecurityEvent(report.type);
    const reported = new Date(report.timestamp);
    await this.db.insertInto('security_events').values({
      charger_id: chargerId, kind: 'security', type: report.type, tech_info: report.techInfo ?? null, critical,
      timestamp: storableTime(reported) ? reported : new Date(),
    }).execute();
    return { critical };
  }

  /** Stores the status of a GetLog upload (LogStatusNotification) or a SignedUpdateFirmware (SignedFirmwareStatusNotification). */
  async status(chargerId: ChargerId, kind: 'log' | 'firmware', status: string, requestId: number | undefined): Promise<void> {
    await this.db.insertInto('security_events').values({
      charger_id: chargerId, kind, type: status, request_id: requestId ?? null, timestamp: new Date(),
    }).execute();
  }
}

/** A charger's security events and statuses, newest first, `limit` at a time, those before the id `before`. */
export async function listSecurityEvents(db: Db, chargerId: ChargerId, limit: number, before?: number): Promise<SecurityEvent[]> {
  let query = db.selectFrom('security_events').selectAll().where('charger_id', '=', chargerId);
  if (before !== undefined) query = query.where('id', '<', before);
  const rows = await query.orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: Number(row.id), kind: row.kind, type: row.type, techInfo: row.tech_info, critical: row.critical,
    requestId: row.request_id, timestamp: row.timestamp, receivedAt: row.received_at,
  }));
}
