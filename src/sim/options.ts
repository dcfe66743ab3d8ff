export type SimDialect = 'ocpp1.6' | 'flexicharge';

/**
 * How the simulator answers one server action instead of its automatic handling: `'accept'` and
 * `'reject'` send the action's positive or negative `.conf`, `'ignore'` never replies (so the
 * server's timeout can be tested), a function's return value is sent as the result payload.
 * An override replaces the automatic handling completely: only the answer goes out, with none
 * of the follow-up messages (an accepted RemoteStartTransaction then starts no transaction).
 */
export type ActionOverride = 'accept' | 'reject' | 'ignore' | ((payload: any) => any);

export interface SimulatorOptions {
  /** Full WebSocket URL; the charger's identity is its last path segment. */
  url: string;
  /** Default `'ocpp1.6'`. */
  dialect?: SimDialect;
  /** If set, HTTP Basic auth with the identity as username. */
  password?: string;
  /** Default true: offers `Sec-WebSocket-Protocol: ocpp1.6`. */
  offerSubprotocol?: boolean;
  /** Number of OCPP connectors, default 1 (the FlexiCharge charger always has one). */
  connectors?: number;
  /** MeterValues period while charging, default 1000 ms; 0 = never automatically. */
  meterValueIntervalMs?: number;
  /** Charging power, default 11000 W. */
  powerW?: number;
  /** Battery size of the simulated car, default 60000 Wh; every car arrives at 20 %. */
  batteryWh?: number;
  /** Energy register at start, default 0 (ocpp1.6 only); it keeps counting across sessions. */
  meterStartWh?: number;
  /** Timeout of the simulator's own CALLs, default 10000 ms. */
  callTimeoutMs?: number;
  /** RFID tag of local sessions, default "SIMTAG01". */
  idTag?: string;
  /** Called with every raw frame, for logging. */
  onFrame?: (direction: 'in' | 'out', frame: string) => void;
  /** Per server action: overrides the automatic answer. */
  behaviour?: Partial<Record<string, ActionOverride>>;
}

export interface ResolvedOptions {
  url: string;
  identity: string;
  dialect: SimDialect;
  password: string | undefined;
  offerSubprotocol: boolean;
  connectors: number;
  meterValueIntervalMs: number;
  powerW: number;
  batteryWh: number;
  meterStartWh: number;
  callTimeoutMs: number;
  idTag: string;
  onFrame: ((direction: 'in' | 'out', frame: string) => void) | undefined;
  behaviour: Partial<Record<string, ActionOverride>>;
}

/** The identity is the last path segment, percent-decoded (OCPP-J §3.1.1); `/charger/` is only the endpoint. */
export function identityOf(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

function atLeast(name: string, value: number, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) throw new RangeError(`${name} must be a number ≥ ${minimum}, got ${value}`);
  return value;
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const dialect = options.dialect ?? 'ocpp1.6';
  if (dialect !== 'ocpp1.6' && dialect !== 'flexicharge') throw new RangeError(`unknown dialect "${String(dialect)}"`);
  const connectors = atLeast('connectors', options.connectors ?? 1, 1);
  if (!Number.isInteger(connectors)) throw new RangeError(`connectors must be an integer, got ${connectors}`);
  return {
    url: options.url,
    identity: identityOf(options.url),
    dialect,
    password: options.password,
    offerSubprotocol: options.offerSubprotocol ?? true,
    // The FlexiCharge program drives a single connector and always reports it as "1".
    connectors: dialect === 'flexicharge' ? 1 : connectors,
    meterValueIntervalMs: atLeast('meterValueIntervalMs', options.meterValueIntervalMs ?? 1000, 0),
    powerW: atLeast('powerW', options.powerW ?? 11_000, 0),
    batteryWh: atLeast('batteryWh', options.batteryWh ?? 60_000, 1),
    meterStartWh: dialect === 'flexicharge' ? 0 : atLeast('meterStartWh', options.meterStartWh ?? 0, 0),
    callTimeoutMs: atLeast('callTimeoutMs', options.callTimeoutMs ?? 10_000, 1),
    idTag: options.idTag ?? 'SIMTAG01',
    onFrame: options.onFrame,
    behaviour: options.behaviour ?? {},
  };
}
