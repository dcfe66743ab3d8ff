import type { Db } from '../db/connection.ts';
import { lockChargers } from './chargerLocks.ts';
import { CHARGER_STATUSES, type ChargerId, type ChargerStatus, type ConnectorId } from './units.ts';

export interface StatusReport {
  connectorId: ConnectorId;
  status: ChargerStatus;
  errorCode: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  timestamp?: string;
}

/**
 * The status the apps see for a charger with several connectors: the whole charger
 * (connector 0) when it is out of order, else Available when any connector is, else
 * connector 1's status.
 */
export function chargerStatusOf(connectors: { connector_id: number; status: string | null }[]): ChargerStatus | undefined {
  const known = connectors.filter((c): c is { connector_id: number; status: ChargerStatus } => c.status !== null && (CHARGER_STATUSES as readonly string[]).includes(c.status));
  const whole = known.find((c) => c.connector_id === 0);
  if (whole && (whole.status === 'Unavailable' || whole.status === 'Faulted')) return whole.status;
  const outlets = known.filter((c) => c.connector_id > 0).sort((a, b) => a.connector_id - b.connector_id);
  if (outlets.some((c) => c.status === 'Available')) return 'Available';
  return outlets[0]?.status ?? whole?.status;
}

const storableTime = (date: Date) => !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999;

/**
 * What a charger reports of its own state outside transactions: its connectors' status
 * (which the apps see) and the progress of a firmware update or diagnostics upload (which
 * operators see).
 */
export class ChargerStatusRecorder {
  constructor(private readonly db: Db) {}

  /**
   * Stores a StatusNotification for its connector, adds it to the connector's history and
   * updates the charger's status, in one transaction under the charger's lock: the history
   * keeps the order the reports were stored in. Answers when the status began, as stored.
   */
  async connector(chargerId: ChargerId, report: StatusReport): Promise<{ chargerStatus: ChargerStatus | undefined; at: Date }> {
    // A charger clock that says nothing usable (a leap second, year 10000) is replaced by ours.
    const reported = report.timestamp ? new Date(report.timestamp) : undefined;
    const receivedAt = new Date();
    const at = reported && storableTime(reported) ? reported : receivedAt;
    const row = {
      charger_id: chargerId,
      connector_id: report.connectorId,
      status: report.status,
      error_code: report.errorCode,
      info: report.info ?? null,
      vendor_id: report.vendorId ?? null,
      vendor_error_code: report.vendorErrorCode ?? null,
      status_at: at,
      received_at: receivedAt,
    };
    return this.db.transaction().execute(async (trx) => {
      await lockChargers(trx, [chargerId]);
      await trx.insertInto('connector_status_history').values(row).execute();
      await trx
        .insertInto('connectors')
        .values(row)
        .onConflict((conflict) => conflict.columns(['charger_id', 'connector_id']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          error_code: eb.ref('excluded.error_code'),
          info: eb.ref('excluded.info'),
          vendor_id: eb.ref('excluded.vendor_id'),
          vendor_error_code: eb.ref('excluded.vendor_error_code'),
          status_at: eb.ref('excluded.status_at'),
          received_at: eb.ref('excluded.received_at'),
        })))
        .execute();
      const connectors = await trx.selectFrom('connectors').select(['connector_id', 'status']).where('charger_id', '=', chargerId).execute();
      const status = chargerStatusOf(connectors);
      if (status) await trx.updateTable('chargers').set({ status, updated_at: new Date() }).where('id', '=', chargerId).execute();
      return { chargerStatus: status, at };
    });
  }

  /** Progress of an UpdateFirmware (FirmwareStatusNotification). */
  async firmware(chargerId: ChargerId, status: string): Promise<void> {
    await this.db.updateTable('chargers').set({ firmware_status: status }).where('id', '=', chargerId).execute();
  }

  /** Progress of a GetDiagnostics upload (DiagnosticsStatusNotification). */
  async diagnostics(chargerId: ChargerId, status: string): Promise<void> {
    await this.db.updateTable('chargers').set({ diagnostics_status: status }).where('id', '=', chargerId).execute();
  }
}
