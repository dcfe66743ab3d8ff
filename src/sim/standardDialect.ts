import { randomUUID } from 'node:crypto';
import { compositeSchedule, limitSegments, type ChargingProfile, type ConnectorState, type InstalledProfile } from './chargingLimit.ts';
import { Configuration, type ChangeStatus } from './configuration.ts';
import { LONGEST_TIMER_MS, type Connector, type Session } from './connector.ts';
import type { BootData, ChargerHost, Dialect, Responder } from './dialect.ts';
import { FileTransfers, type InstalledFirmware, type UploadedDiagnostics } from './fileTransfers.ts';
import { SUPPORTED_MEASURANDS, meterValue, type Measurand, type ReadingContext } from './sampledValues.ts';
import { handleStandardCommand } from './standardCommands.ts';

const FIRMWARE_VERSION = '1.0.0';

/** idTags are CiString20: compared case-insensitively. */
function sameIdTag(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A strictly valid OCPP 1.6-J charger: UUID message ids, one CALL at a time, standard payloads. */
export class StandardDialect implements Dialect {
  readonly sequentialCalls = true;
  bootData: BootData | undefined;
  readonly configuration: Configuration;
  /** SendLocalList: idTag → idTagInfo, with the list's version. */
  readonly localList = { version: 0, entries: new Map<string, unknown>() };
  /**
   * SetChargingProfile, by chargingProfileId; the power of every connector follows them. Kept
   * in memory only: a Reset forgets them, so what the central system sends again after the
   * boot is what the charger holds.
   */
  readonly chargingProfiles = new Map<number, InstalledProfile>();
  diagnosticsStatus = 'Idle';
  firmwareStatus = 'Idle';
  /** The last firmware UpdateFirmware installed, if any. */
  installedFirmware: InstalledFirmware | undefined;
  /** The last diagnostics file GetDiagnostics uploaded, if any. */
  uploadedDiagnostics: UploadedDiagnostics | undefined;
  private readonly transfers = new FileTransfers();
  private sampleIntervalMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Accepted ChangeConfigurations of HeartbeatInterval, so a boot result does not undo a newer one. */
  private heartbeatChanges = 0;

  constructor(readonly host: ChargerHost) {
    this.configuration = new Configuration(host.options.connectors, host.options.meterValueIntervalMs);
    this.sampleIntervalMs = host.options.meterValueIntervalMs;
    for (const connector of host.connectors) connector.meter.limitBy((from, to) => limitSegments(this.profiles(), this.stateOf(connector), from, to, Infinity));
  }

  /**
   * Installs a profile (OCPP 1.6 §5.16): it replaces the one with its chargingProfileId and the
   * one of the same purpose and stackLevel on the connector. Energy so far is counted first.
   */
  installProfile(connectorId: number, profile: ChargingProfile): void {
    this.countEnergy();
    for (const [id, held] of this.chargingProfiles) {
      const { chargingProfilePurpose: purpose, stackLevel } = held.profile;
      if (held.connectorId === connectorId && purpose === profile.chargingProfilePurpose && stackLevel === profile.stackLevel) this.chargingProfiles.delete(id);
    }
    this.chargingProfiles.set(profile.chargingProfileId, { connectorId, profile, receivedAt: Date.now() });
  }

  removeProfiles(ids: readonly number[]): void {
    this.countEnergy();
    for (const id of ids) this.chargingProfiles.delete(id);
  }

  /** The composite schedule from now over `durationS`, as GetCompositeSchedule reports it. */
  compositeSchedule(connectorId: number, durationS: number, unit: 'A' | 'W') {
    const { powerW } = this.host.options;
    const state = connectorId === 0 ? { connectorId } : this.stateOf(this.host.connector(connectorId));
    const from = Date.now();
    // A Relative schedule without a transaction is shown as if one started now.
    return compositeSchedule(this.profiles(), { transactionStartedAt: from, ...state }, from, durationS, unit, connectorId === 0 ? powerW * this.host.connectors.length : powerW);
  }

  private profiles(): InstalledProfile[] {
    return [...this.chargingProfiles.values()];
  }

  private stateOf(connector: Connector): ConnectorState {
    const session = connector.session;
    return {
      connectorId: connector.id,
      ...(session?.transactionId !== undefined && { transactionId: session.transactionId, transactionStartedAt: session.startedAt.getTime() }),
    };
  }

  /** Brings every meter up to now under the profiles held so far, before they change. */
  private countEnergy(): void {
    for (const connector of this.host.connectors) connector.meter.read();
  }

  messageId(): string {
    return randomUUID();
  }

  resultFrame(id: unknown, _action: string, payload: object): unknown[] {
    return [3, id, payload];
  }

  readResult(frame: unknown[]): { payload: unknown } {
    return { payload: frame[2] };
  }

  handleCall(action: string, payload: unknown, respond: Responder): void {
    handleStandardCommand(this, action, payload, respond);
  }

  opened(): void {}

  resumed(): void {
    for (const connector of this.host.connectors) if (connector.session?.transactionId !== undefined) this.startSampling(connector);
  }

  /** A transfer or a wait for retrieveDate under way ends with the connection (a reboot interrupts it too). */
  closed(): void {
    clearInterval(this.heartbeatTimer);
    this.transfers.abortAll();
  }

  async boot(): Promise<any> {
    const heartbeatChanges = this.heartbeatChanges;
    const conf = await this.host.call('BootNotification', {
      chargePointVendor: 'FlexiCharge',
      chargePointModel: 'Simulator',
      // CiString25; the identity travels in the URL anyway.
      chargePointSerialNumber: this.host.options.identity.slice(0, 25),
      firmwareVersion: this.firmwareVersion(),
    });
    // With Accepted, the interval is the heartbeat interval (ocpp-j-rules §1.9), unless a
    // ChangeConfiguration that came in the same read as the result has set it already.
    if (conf?.status === 'Accepted' && Number.isInteger(conf.interval) && conf.interval >= 0 && heartbeatChanges === this.heartbeatChanges) {
      this.configuration.set('HeartbeatInterval', String(conf.interval));
      this.scheduleHeartbeats();
    }
    return conf;
  }

  heartbeat(): Promise<any> {
    return this.host.call('Heartbeat', {});
  }

  /** Connector 0 is the charge point as a whole. */
  async statusNotification(connectorId: number, status: string, errorCode = 'NoError'): Promise<any> {
    if (connectorId !== 0) this.host.connector(connectorId).status = status;
    return this.host.call('StatusNotification', { connectorId, errorCode, status, timestamp: new Date().toISOString() });
  }

  authorize(idTag: string): Promise<any> {
    return this.host.call('Authorize', { idTag });
  }

  /** An RFID card at the charger: Authorize, then the same start as a remote one. */
  async startLocalSession(connectorId: number, idTag: string): Promise<{ transactionId: number; idTagInfo: any }> {
    const connector = this.host.connector(connectorId);
    if (!this.canStart(connector, idTag)) throw new Error(`connector ${connectorId} cannot start a session for ${idTag}: it is ${connector.status}`);
    return this.startTransaction(connector, idTag, true);
  }

  /** Free (Available, or Preparing: a cable is in), or reserved for this idTag or its parent. */
  canStart(connector: Connector, idTag: string): boolean {
    if (connector.session) return false;
    const reservation = connector.reservation;
    if (reservation) return sameIdTag(reservation.idTag, idTag) || (reservation.parentIdTag !== undefined && sameIdTag(reservation.parentIdTag, idTag));
    return connector.status === 'Available' || connector.status === 'Preparing';
  }

  /**
   * StartTransaction (after an Authorize if asked), then StatusNotification Charging and
   * periodic MeterValues. A refused idTag is stopped again at once (StopTransactionOnInvalidId).
   */
  async startTransaction(connector: Connector, idTag: string, authorizeFirst: boolean): Promise<{ transactionId: number; idTagInfo: any }> {
    // Claimed before the first await, so that a second start cannot take the same connector.
    const session: Session = { idTag, startedAt: new Date(), start: connector.meter.read() };
    connector.session = session;
    const reservationId = connector.reservation?.id;
    let conf: any;
    try {
      if (authorizeFirst) {
        const status = (await this.authorize(idTag))?.idTagInfo?.status;
        if (status !== 'Accepted') throw new Error(`Authorize of ${idTag} was answered ${status}`);
      }
      connector.clearReservation();
      connector.meter.startCharging();
      session.startedAt = new Date();
      session.start = connector.meter.read();
      conf = await this.host.call('StartTransaction', {
        connectorId: connector.id,
        idTag,
        meterStart: session.start.registerWh,
        timestamp: session.startedAt.toISOString(),
        ...(reservationId !== undefined && { reservationId }),
      });
      if (!Number.isInteger(conf?.transactionId)) throw new Error('the StartTransaction result has no integer transactionId');
    } catch (error) {
      connector.session = undefined;
      connector.meter.stopCharging();
      // The reservation was used up by the attempt: the connector is free again.
      if (connector.status === 'Reserved' && !connector.reservation) this.host.background(this.statusNotification(connector.id, 'Available'), 'StatusNotification');
      throw error;
    }
    const transactionId: number = conf.transactionId;
    session.transactionId = transactionId;
    this.host.emitStarted(connector.id, transactionId);
    if (conf.idTagInfo?.status !== 'Accepted' && this.configuration.flag('StopTransactionOnInvalidId')) {
      this.host.background(this.stopSession(connector.id, 'DeAuthorized'), 'StopTransaction');
    } else {
      this.host.background(this.statusNotification(connector.id, 'Charging'), 'StatusNotification');
      this.startSampling(connector);
    }
    return { transactionId, idTagInfo: conf.idTagInfo };
  }

  /**
   * StatusNotification Finishing, StopTransaction with the Transaction.Begin and .End readings,
   * then the car leaves: StatusNotification Available (or Unavailable, if a ChangeAvailability
   * waited for this session). Resolves with the StopTransaction result.
   */
  async stopSession(connectorId: number, reason = 'Local'): Promise<any> {
    const connector = this.host.connector(connectorId);
    const session = connector.session;
    if (session?.transactionId === undefined) throw new Error(`connector ${connectorId} has no running transaction`);
    // Counted while the session's TxProfile still applies; the profile ends with it (OCPP 1.6 §3.13.4).
    connector.meter.stopCharging();
    connector.session = undefined;
    connector.stopSampling();
    for (const [id, held] of this.chargingProfiles) if (held.connectorId === connectorId && held.profile.chargingProfilePurpose === 'TxProfile') this.chargingProfiles.delete(id);
    const end = connector.meter.read();
    const measurands = this.measurands();
    this.host.background(this.statusNotification(connectorId, 'Finishing'), 'StatusNotification');
    try {
      return await this.host.call('StopTransaction', {
        transactionId: session.transactionId,
        idTag: session.idTag,
        meterStop: end.registerWh,
        timestamp: new Date().toISOString(),
        reason,
        transactionData: [
          meterValue(session.start, measurands, 'Transaction.Begin', true, session.startedAt),
          meterValue(end, measurands, 'Transaction.End', true),
        ],
      });
    } finally {
      const next = connector.pendingAvailability ?? 'Available';
      connector.pendingAvailability = undefined;
      this.host.background(this.statusNotification(connectorId, next), 'StatusNotification');
      this.host.emitStopped(connectorId);
    }
  }

  async sendMeterValues(connectorId: number, context: ReadingContext = 'Sample.Periodic'): Promise<any> {
    const connector = this.host.connector(connectorId);
    const transactionId = connector.session?.transactionId;
    return this.host.call('MeterValues', {
      connectorId,
      ...(transactionId !== undefined && { transactionId }),
      meterValue: [meterValue(connector.meter.read(), this.measurands(), context, transactionId !== undefined)],
    });
  }

  /** ChangeConfiguration, with the keys that steer the simulator taking effect at once. */
  changeConfiguration(key: string, value: string): ChangeStatus {
    const status = this.configuration.change(key, value);
    if (status !== 'Accepted') return status;
    if (key === 'HeartbeatInterval') {
      this.heartbeatChanges++;
      this.scheduleHeartbeats();
    }
    if (key === 'MeterValueSampleInterval') {
      this.sampleIntervalMs = Number(value) * 1000;
      for (const connector of this.host.connectors) if (connector.session?.transactionId !== undefined) this.startSampling(connector);
    }
    return status;
  }

  /** Reset: the running sessions end, then the charger reboots (a Hard reset without a close handshake). */
  async reset(hard: boolean): Promise<void> {
    const running = this.host.connectors.filter((c) => c.session?.transactionId !== undefined);
    const stops = running.map((c) => this.stopSession(c.id, hard ? 'HardReset' : 'SoftReset'));
    await Promise.allSettled(stops);
    this.chargingProfiles.clear();
    await this.host.reboot(hard);
  }

  /**
   * GetDiagnostics: a text report of the charger (its firmware, connectors and configuration)
   * PUT to the location, reported Uploading, then Uploaded or UploadFailed.
   */
  async uploadDiagnostics(location: string, fileName: string, window: { startTime?: string; stopTime?: string }): Promise<void> {
    await this.reportDiagnostics('Uploading');
    const content = this.diagnosticsReport(window);
    try {
      await this.transfers.upload(location, content);
    } catch (error) {
      this.host.warn(`diagnostics upload failed: ${String(error)}`);
      return this.reportDiagnostics('UploadFailed');
    }
    this.uploadedDiagnostics = { location, fileName, content };
    await this.reportDiagnostics('Uploaded');
  }

  /**
   * UpdateFirmware: at retrieveDate, GET the location (tried 1 + retries times, retryInterval
   * seconds apart), reported Downloading, then Downloaded or DownloadFailed; then Installing and
   * Installed. What was installed (its hash and size) is kept, and its version is reported at the next boot.
   */
  async installFirmware(location: string, retrieveDate: Date, retries = 0, retryIntervalSeconds = 0): Promise<void> {
    await this.transfers.until(retrieveDate);
    await this.reportFirmware('Downloading');
    let firmware: InstalledFirmware | undefined;
    for (let attempt = 0; attempt <= retries && !firmware; attempt++) {
      if (attempt > 0) await this.transfers.until(new Date(Date.now() + retryIntervalSeconds * 1000));
      firmware = await this.transfers.download(location).catch((error: unknown) => {
        this.host.warn(`firmware download failed: ${String(error)}`);
        return undefined;
      });
    }
    if (!firmware) return this.reportFirmware('DownloadFailed');
    await this.reportFirmware('Downloaded');
    await this.reportFirmware('Installing');
    this.installedFirmware = firmware;
    await this.reportFirmware('Installed');
  }

  /** After its last status the charger is Idle again, as a TriggerMessage then reports (OCPP 1.6 §4.5, §4.4). */
  private async reportFirmware(status: string): Promise<void> {
    this.firmwareStatus = ['Installed', 'DownloadFailed', 'InstallationFailed'].includes(status) ? 'Idle' : status;
    await this.host.call('FirmwareStatusNotification', { status });
  }

  private async reportDiagnostics(status: string): Promise<void> {
    this.diagnosticsStatus = status === 'Uploaded' || status === 'UploadFailed' ? 'Idle' : status;
    await this.host.call('DiagnosticsStatusNotification', { status });
  }

  /** The firmware version the charger boots with: its own, or the hash of what it installed. */
  firmwareVersion(): string {
    return this.installedFirmware ? `sha256-${this.installedFirmware.sha256.slice(0, 16)}` : FIRMWARE_VERSION;
  }

  private diagnosticsReport(window: { startTime?: string; stopTime?: string }): string {
    const lines = [
      `FlexiCharge simulator diagnostics for ${this.host.options.identity}`,
      `generated ${new Date().toISOString()}`,
      `period ${window.startTime ?? 'start'} .. ${window.stopTime ?? 'now'}`,
      `firmware ${this.firmwareVersion()} (status ${this.firmwareStatus})`,
      ...this.host.connectors.map((c) => {
        const { status, registerWh } = c.snapshot();
        return `connector ${c.id}: ${status}, register ${registerWh} Wh${c.session?.transactionId !== undefined ? `, transaction ${c.session.transactionId}` : ''}`;
      }),
      ...this.configuration.list(undefined).configurationKey.map((entry) => `config ${entry.key}=${entry.value ?? ''}`),
    ];
    return `${lines.join('\n')}\n`;
  }

  private measurands(): Measurand[] {
    const configured = (this.configuration.get('MeterValuesSampledData') ?? '').split(',');
    return SUPPORTED_MEASURANDS.filter((m) => configured.includes(m));
  }

  private startSampling(connector: Connector): void {
    connector.startSampling(this.sampleIntervalMs, () => this.host.background(this.sendMeterValues(connector.id), 'MeterValues'));
  }

  private scheduleHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    const seconds = Number(this.configuration.get('HeartbeatInterval'));
    if (seconds > 0) this.heartbeatTimer = setInterval(() => this.host.background(this.heartbeat(), 'Heartbeat'), Math.min(seconds * 1000, LONGEST_TIMER_MS));
  }
}
