import { SUPPORTED_MEASURANDS } from './sampledValues.ts';

/** `rebootInteger`: an integer the charger takes only when it restarts (it answers RebootRequired). */
type Kind = 'boolean' | 'integer' | 'rebootInteger' | 'measurands' | 'readonly';

interface Entry {
  value: string;
  kind: Kind;
}

export type ChangeStatus = 'Accepted' | 'RebootRequired' | 'Rejected' | 'NotSupported';

function valid(kind: Kind, value: string): boolean {
  switch (kind) {
    case 'boolean': return /^(true|false)$/i.test(value);
    case 'integer':
    case 'rebootInteger': return /^\d+$/.test(value);
    case 'measurands': {
      const items = value.split(',').map((item) => item.trim());
      return items.every((item) => (SUPPORTED_MEASURANDS as readonly string[]).includes(item));
    }
    case 'readonly': return false;
  }
}

/** The configuration keys of a standard charger (OCPP 1.6 §9), as strings like on the wire. */
export class Configuration {
  private readonly entries: Map<string, Entry>;

  constructor(connectors: number, meterValueIntervalMs: number) {
    this.entries = new Map<string, Entry>([
      ['AuthorizeRemoteTxRequests', { value: 'false', kind: 'boolean' }],
      ['ClockAlignedDataInterval', { value: '0', kind: 'integer' }],
      ['ConnectionTimeOut', { value: '60', kind: 'integer' }],
      // Set from the BootNotification result.
      ['HeartbeatInterval', { value: '0', kind: 'integer' }],
      ['LocalAuthListEnabled', { value: 'true', kind: 'boolean' }],
      // Whole seconds on the wire; the simulator's own option is in milliseconds.
      ['MeterValueSampleInterval', { value: String(Math.round(meterValueIntervalMs / 1000)), kind: 'integer' }],
      ['MeterValuesSampledData', { value: SUPPORTED_MEASURANDS.join(','), kind: 'measurands' }],
      ['NumberOfConnectors', { value: String(connectors), kind: 'readonly' }],
      ['StopTransactionOnInvalidId', { value: 'true', kind: 'boolean' }],
      // Taken at the next connection, as chargers take their WebSocket settings, so a change answers RebootRequired (the simulator sends no pings of its own).
      ['WebSocketPingInterval', { value: '0', kind: 'rebootInteger' }],
      ['SupportedFeatureProfiles', { value: 'Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger', kind: 'readonly' }],
    ]);
  }

  get(key: string): string | undefined {
    return this.entries.get(key)?.value;
  }

  flag(key: string): boolean {
    return this.get(key)?.toLowerCase() === 'true';
  }

  /** A value the charger itself decided (e.g. the heartbeat interval from the boot result). */
  set(key: string, value: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.value = value;
  }

  /**
   * ChangeConfiguration: unknown keys are NotSupported, read-only keys and bad values
   * Rejected; a key taken only at a restart is kept and answered RebootRequired.
   */
  change(key: string, value: string): ChangeStatus {
    const entry = this.entries.get(key);
    if (!entry) return 'NotSupported';
    if (!valid(entry.kind, value)) return 'Rejected';
    entry.value = entry.kind === 'measurands' ? value.split(',').map((item) => item.trim()).join(',') : value;
    return entry.kind === 'rebootInteger' ? 'RebootRequired' : 'Accepted';
  }

  /** GetConfiguration: all keys when none are named. */
  list(keys: readonly string[] | undefined): { configurationKey: { key: string; readonly: boolean; value: string }[]; unknownKey: string[] } {
    const wanted = keys && keys.length > 0 ? keys : [...this.entries.keys()];
    const configurationKey = wanted.flatMap((key) => {
      const entry = this.entries.get(key);
      return entry ? [{ key, readonly: entry.kind === 'readonly', value: entry.value }] : [];
    });
    return { configurationKey, unknownKey: wanted.filter((key) => !this.entries.has(key)) };
  }
}
