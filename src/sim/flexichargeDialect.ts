import { parseBootData } from './bootData.ts';
import type { Session } from './connector.ts';
import type { BootData, ChargerHost, Dialect, Responder } from './dialect.ts';
import { isObject } from './payloadChecks.ts';
import { pythonInt } from './pythonCoercion.ts';

/** The id of every CALL the charger makes, except MeterValues (clients.md A.2). */
export const FLEXICHARGE_CALL_ID = '0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v';

const PING_INTERVAL_MS = 5000;

const BOOT_NOTIFICATION = {
  chargePointVendor: 'AVT-Company',
  chargePointModel: 'AVT-Express',
  chargePointSerialNumber: 'avt.001.13.1',
  chargeBoxSerialNumber: 'avt.001.13.1.01',
  firmwareVersion: '0.9.87',
  iccid: '',
  imsi: '',
  meterType: 'AVT NQC-ACDC',
  meterSerialNumber: 'avt.001.13.1.01',
};

/** Python's datetime.now().timestamp(): float seconds with microseconds. */
function floatSeconds(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
}

/**
 * The FlexiCharge charger program (Charge-station-plus) as clients.md Part A describes it,
 * odd parts included: a constant CALL id, 4-element results, string connectorIds, no reply
 * to anything it does not understand, nothing awaited, no Heartbeat, pings every 5 s.
 * It has one connector, which it always calls "1".
 */
export class FlexichargeDialect implements Dialect {
  readonly sequentialCalls = false;
  bootData: BootData | undefined;
  /** Its QR code and MeterValues id prefix; the program starts with 000000. */
  private chargerId: unknown = 0;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: ChargerHost) {}

  private get connector() {
    return this.host.connector(1);
  }

  messageId(action: string, payload: { timestamp?: unknown }): string {
    return action === 'MeterValues' ? `${String(this.chargerId)}MeterValues${String(payload.timestamp ?? Date.now())}` : FLEXICHARGE_CALL_ID;
  }

  resultFrame(id: unknown, action: string, payload: object): unknown[] {
    return [3, id, action, payload];
  }

  /** Both the 4-element form and the standard 3-element one arrive here. */
  readResult(frame: unknown[]): { action?: string; payload: unknown } {
    return typeof frame[2] === 'string' ? { action: frame[2], payload: frame[3] } : { payload: frame[2] };
  }

  /** Python exceptions (a missing key, int() failing) are swallowed by the charger: no reply. */
  handleCall(action: string, payload: unknown, respond: Responder): void {
    if (!isObject(payload)) return this.host.warn(`no reply to ${action}: its payload is not a JSON object`);
    switch (action) {
      case 'DataTransfer': return this.dataTransfer(payload, respond);
      case 'ReserveNow': return this.reserveNow(payload, respond);
      case 'RemoteStartTransaction': return this.remoteStart(payload, respond);
      case 'RemoteStopTransaction': return this.remoteStop(payload, respond);
      default: this.host.warn(`no reply to ${action}: the FlexiCharge charger does not handle it`);
    }
  }

  opened(): void {
    this.pingTimer = setInterval(() => this.host.ping(), PING_INTERVAL_MS);
  }

  closed(): void {
    clearInterval(this.pingTimer);
  }

  resumed(): void {
    if (this.connector.session) this.startSampling();
  }

  boot(): Promise<any> {
    return this.host.call('BootNotification', BOOT_NOTIFICATION);
  }

  /** In the program's code but never sent by it. */
  heartbeat(): Promise<any> {
    return this.host.call('Heartbeat', {});
  }

  async statusNotification(connectorId: number, status: string, errorCode = ''): Promise<any> {
    this.host.connector(connectorId).status = status;
    return this.host.call('StatusNotification', { connectorId: String(connectorId), errorCode, status });
  }

  authorize(): Promise<any> {
    return Promise.reject(new Error('the FlexiCharge charger never sends Authorize'));
  }

  startLocalSession(): Promise<{ transactionId: number; idTagInfo: any }> {
    return Promise.reject(new Error('the FlexiCharge charger cannot start a session locally (its local start path crashes); start it with RemoteStartTransaction'));
  }

  /** The charger has one way to stop, the one after RemoteStopTransaction (reason "Remote"). */
  stopSession(): Promise<any> {
    if (!this.connector.session) return Promise.reject(new Error('the FlexiCharge charger is not charging'));
    return this.stopCharging();
  }

  sendMeterValues(): Promise<any> {
    const { session, meter } = this.connector;
    const reading = meter.read();
    return this.host.call('MeterValues', {
      connectorId: 1,
      transactionId: 1,
      timestamp: Date.now(),
      values: {
        chargingPercent: { value: reading.socPercent, unit: '%', measurand: 'SoC' },
        chargingPower: { value: reading.powerW, unit: 'W', measurand: 'Power.Active,Import' },
        chargedSoFar: { value: reading.registerWh - (session?.start.registerWh ?? reading.registerWh), unit: 'Wh', measurand: 'Energy.Active.Import' },
      },
    });
  }

  /**
   * Accepted only with vendorId com.flexicharge, messageId BootData and JSON `data` holding
   * `connectorID` and a float()-able `chargingPrice`; `connectorID` is kept even without a price.
   */
  private dataTransfer(payload: Record<string, unknown>, respond: Responder): void {
    const bootData = payload.vendorId === 'com.flexicharge' && payload.messageId === 'BootData' ? parseBootData(payload.data) : undefined;
    if (bootData) {
      this.chargerId = bootData.connectorID;
      this.bootData = bootData;
    }
    respond.result({ status: bootData?.chargingPrice !== undefined ? 'Accepted' : 'Rejected' });
  }

  /**
   * StatusNotification Reserved goes out before the result. The program never forgets a
   * reservation (its reset is a no-op), so another reservationID is Occupied from then on.
   */
  private reserveNow(payload: Record<string, unknown>, respond: Responder): void {
    const missing = ['reservationID', 'connectorID', 'idTag', 'expiryDate'].filter((key) => !(key in payload));
    if (missing.length > 0) return this.host.warn(`no reply to ReserveNow: it lacks ${missing.join(', ')}`);
    const idTag = pythonInt(payload.idTag);
    if (idTag === undefined) return this.host.warn(`no reply to ReserveNow: int() fails on idTag ${JSON.stringify(payload.idTag)}`);
    const { connector } = this;
    if (connector.reservation && connector.reservation.id !== payload.reservationID) return respond.result({ status: 'Occupied' });
    this.host.background(this.statusNotification(1, 'Reserved'), 'StatusNotification');
    connector.reserve({ id: payload.reservationID as number | string, idTag: String(idTag) });
    respond.result({ status: 'Accepted' });
  }

  /** Only `idTag` is read; it must be int() of the reserved tag, which is 1 without a reservation. */
  private remoteStart(payload: Record<string, unknown>, respond: Responder): void {
    const idTag = pythonInt(payload.idTag);
    if (idTag === undefined) return this.host.warn(`no reply to RemoteStartTransaction: int() fails on idTag ${JSON.stringify(payload.idTag)}`);
    const reservedTag = this.connector.reservation ? Number(this.connector.reservation.idTag) : 1;
    if (idTag !== reservedTag) return respond.result({ status: 'Rejected' });
    respond.result({ status: 'Accepted' });
    this.startCharging();
  }

  /** The key `transactionID` must exist; its value is ignored. */
  private remoteStop(payload: Record<string, unknown>, respond: Responder): void {
    if (!('transactionID' in payload)) return this.host.warn('no reply to RemoteStopTransaction: it lacks transactionID');
    if (!this.connector.session) return respond.result({ status: 'Rejected' });
    respond.result({ status: 'Accepted' });
    this.host.background(this.stopCharging(), 'StopTransaction');
  }

  /**
   * StartTransaction and StatusNotification Charging back to back, then MeterValues while
   * charging. The charger ignores the server's transactionId; it is kept here for 'started'.
   */
  private startCharging(): void {
    const { connector } = this;
    connector.meter.startCharging();
    const session: Session = { idTag: '1', startedAt: new Date(), start: connector.meter.read() };
    connector.session = session;
    const started = this.host.call('StartTransaction', {
      connectorId: '1',
      id_tag: null,
      meterStart: 0,
      timestamp: floatSeconds(),
      reservationId: connector.reservation?.id ?? null,
    });
    this.host.background(
      started.then((conf) => {
        if (!Number.isInteger(conf?.transactionId)) throw new Error('the StartTransaction result has no integer transactionId');
        if (connector.session !== session) return;
        session.transactionId = conf.transactionId;
        this.host.emitStarted(1, conf.transactionId);
      }),
      'StartTransaction',
    );
    this.host.background(this.statusNotification(1, 'Charging'), 'StatusNotification');
    this.startSampling();
  }

  private startSampling(): void {
    this.connector.startSampling(this.host.options.meterValueIntervalMs, () => this.host.background(this.sendMeterValues(), 'MeterValues'));
  }

  /** StatusNotification Available before StopTransaction; meterStop is this session's energy. */
  private stopCharging(): Promise<any> {
    const { connector } = this;
    const session = connector.session!;
    connector.session = undefined;
    connector.stopSampling();
    connector.meter.stopCharging();
    const chargedWh = connector.meter.read().registerWh - session.start.registerWh;
    this.host.background(this.statusNotification(1, 'Available'), 'StatusNotification');
    const stopped = this.host.call('StopTransaction', {
      idTag: null,
      meterStop: chargedWh,
      timestamp: floatSeconds(),
      transactionId: 1,
      reason: 'Remote',
      transactionData: null,
    });
    const emitStopped = () => this.host.emitStopped(1);
    stopped.then(emitStopped, emitStopped);
    return stopped;
  }
}
