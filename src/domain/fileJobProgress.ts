import type { Db } from '../db/connection.ts';
import { recordDiagnosticsStatus, type DiagnosticsStatus } from './diagnostics.ts';
import { recordFirmwareStatus, type FirmwareStatus } from './firmware.ts';
import type { ChargerId } from './units.ts';

/** What the OCPP handlers report of a firmware or diagnostics job: the charger's status notifications. */
export class FileJobProgress {
  constructor(private readonly db: Db) {}

  firmware(chargerId: ChargerId, status: FirmwareStatus): Promise<void> {
    return recordFirmwareStatus(this.db, chargerId, status);
  }

  diagnostics(chargerId: ChargerId, status: DiagnosticsStatus): Promise<void> {
    return recordDiagnosticsStatus(this.db, chargerId, status);
  }
}
