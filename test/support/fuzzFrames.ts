/**
 * Deterministic OCPP 1.6-J frames for fuzzing the charger endpoint: valid messages of
 * every charger action, the same messages with one field or the whole payload made
 * hostile, FlexiCharge dialect shapes, and frames broken at the OCPP-J level. A seed
 * always yields the same frames, so whatever a long run finds can be replayed.
 */

import { seededRandom } from '../../src/sim/random.ts';

/** The server's default OCPP_MAX_FRAME_BYTES. */
export const MAX_FRAME_BYTES = 256 * 1024;

export const CHARGER_ACTIONS = [
  'Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification',
  'Heartbeat', 'MeterValues', 'StartTransaction', 'StatusNotification', 'StopTransaction',
] as const;
export type ChargerAction = (typeof CHARGER_ACTIONS)[number];

/** Answered with a CALLRESULT whatever their content: the charger cannot do without the answer. */
export const TRANSACTION_ACTIONS: ReadonlySet<string> = new Set(['StartTransaction', 'StopTransaction', 'MeterValues']);

export interface FuzzFrame {
  /** What goes on the wire; a Buffer only for binary frames. */
  text: string | Buffer;
  binary?: boolean;
  /**
   * The id the server's answer must carry: the CALL's id, the id it can recover from a
   * broken frame, or "-1". Unset when no answer is due (CALLRESULT and CALLERROR frames).
   */
  id?: string | number;
  /** The action the frame names, when it is a CALL. */
  action?: string;
  /** What was done to the frame, e.g. `connectorId int32+1`; the same kind always means the same mutation. */
  kind: string;
  /**
   * Broken at the OCPP-J level (framing, size, a payload that is no object, absurd
   * nesting): a FormationViolation or ProtocolError is a fair answer even to a transaction action.
   */
  malformed?: boolean;
}

export interface Fuzzer {
  next(): FuzzFrame;
}

class Random {
  readonly #next: () => number;
  constructor(seed: number) {
    // A fixed seed must give the same frames everywhere.
    this.#next = seededRandom(seed);
  }
  /** 0 … n-1 */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
}

/**
 * JSON text placed verbatim: literals JSON.stringify cannot write (9223372036854775807,
 * 1e400, -0) and nesting too deep to build, or serialise, as objects.
 */
class Raw {
  constructor(readonly json: string) {}
}

/** Marks a field to delete. */
const MISSING = Symbol('missing');

/**
 * JSON.stringify that also writes Raw. Strings go through JSON.stringify, which escapes
 * lone surrogates as `\udXXX`: sent as raw UTF-16 they would arrive as U+FFFD instead.
 */
function toJson(value: unknown): string {
  if (value instanceof Raw) return value.json;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, member]) => member !== undefined && member !== MISSING);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${toJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Payload = Record<string, unknown>;

// The big constants are built once: the long run sends hundreds of thousands of frames.
const memo = new Map<string, string>();
const cached = (key: string, build: () => string) => {
  let text = memo.get(key);
  if (text === undefined) memo.set(key, (text = build()));
  return text;
};
const deepArray = (depth: number) => new Raw(cached(`array${depth}`, () => '['.repeat(depth) + ']'.repeat(depth)));
const deepObject = (depth: number) => new Raw(cached(`object${depth}`, () => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));
const longString = (bytes: number) => cached(`x${bytes}`, () => 'x'.repeat(bytes));
const manyItems = (count: number, item: string) => new Raw(cached(`items${count}${item}`, () => `[${new Array<string>(count).fill(item).join(',')}]`));

/** Depths of JSON nesting tried: each fits the frame limit (an object level costs 6 bytes, an array level 2). */
const ARRAY_DEPTHS = [1_000, 10_000, 100_000];
const OBJECT_DEPTHS = [1_000, 10_000, 40_000];

const BASE_TIME_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

const iso = (r: Random) => new Date(BASE_TIME_MS + r.int(90 * DAY_MS)).toISOString();
const epochSeconds = (r: Random) => (BASE_TIME_MS + r.int(90 * DAY_MS)) / 1000;
const hex = (r: Random, length: number) => Array.from({ length }, () => '0123456789ABCDEF'[r.int(16)]).join('');
const idTag = (r: Random) => (r.chance(0.2) ? String(1 + r.int(99999)) : hex(r, 8));
const transactionId = (r: Random) => 1 + r.int(300);

const STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'];
const ERROR_CODES = ['NoError', 'NoError', 'NoError', 'GroundFailure', 'OverCurrentFailure', 'HighTemperature', 'OtherError'];
const STOP_REASONS = ['EVDisconnected', 'Local', 'Remote', 'PowerLoss', 'DeAuthorized', 'EmergencyStop'];

function meterValue(r: Random, timestamp: string): Payload {
  const samples: Payload[] = [
    { value: String(r.int(100_000)), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh', location: 'Outlet' },
    { value: (r.int(22_000) / 1000).toFixed(3), measurand: 'Power.Active.Import', unit: 'kW' },
    { value: String(r.int(101)), measurand: 'SoC', unit: 'Percent', location: 'EV' },
    { value: (220 + r.int(200) / 10).toFixed(1), measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
  ];
  return { timestamp, sampledValue: samples.slice(0, 1 + r.int(samples.length)) };
}

/** Schema-valid, realistic payloads. */
const VALID: Record<ChargerAction, (r: Random) => Payload> = {
  Authorize: (r) => ({ idTag: idTag(r) }),
  BootNotification: (r) => ({
    chargePointVendor: r.pick(['Acme', 'Zaptec', 'Easee', 'FlexiCharge']),
    chargePointModel: r.pick(['Volt-22', 'Go', 'Pro-11', 'FC-1']),
    chargePointSerialNumber: `SN-${hex(r, 6)}`,
    firmwareVersion: `${r.int(5)}.${r.int(20)}.${r.int(100)}`,
    ...(r.chance(0.5) ? { meterType: 'DIN rail', meterSerialNumber: `M-${hex(r, 6)}` } : {}),
  }),
  DataTransfer: (r) => r.pick([
    { vendorId: 'com.flexicharge', messageId: 'ChargeLevelUpdate', data: JSON.stringify({ transactionId: transactionId(r), chargeLevel: r.int(101) }) },
    { vendorId: 'com.flexicharge', messageId: 'Unheard' },
    { vendorId: 'com.example.vendor', messageId: 'Telemetry', data: `t=${r.int(80)}` },
  ]),
  DiagnosticsStatusNotification: (r) => ({ status: r.pick(['Idle', 'Uploaded', 'UploadFailed', 'Uploading']) }),
  FirmwareStatusNotification: (r) => ({ status: r.pick(['Downloaded', 'DownloadFailed', 'Downloading', 'Idle', 'InstallationFailed', 'Installing', 'Installed']) }),
  Heartbeat: () => ({}),
  MeterValues: (r) => ({ connectorId: 1 + r.int(2), transactionId: transactionId(r), meterValue: [meterValue(r, iso(r))] }),
  StartTransaction: (r) => ({
    connectorId: 1 + r.int(2), idTag: idTag(r), meterStart: r.int(1_000_000), timestamp: iso(r),
    ...(r.chance(0.2) ? { reservationId: 1 + r.int(50) } : {}),
  }),
  StatusNotification: (r) => ({
    connectorId: r.int(3), errorCode: r.pick(ERROR_CODES), status: r.pick(STATUSES), timestamp: iso(r),
    ...(r.chance(0.3) ? { info: 'contactor cycle', vendorId: 'com.acme', vendorErrorCode: `E${r.int(100)}` } : {}),
  }),
  StopTransaction: (r) => ({
    transactionId: transactionId(r), meterStop: r.int(1_000_000), timestamp: iso(r), reason: r.pick(STOP_REASONS),
    ...(r.chance(0.5) ? { idTag: idTag(r) } : {}),
    ...(r.chance(0.5) ? { transactionData: [meterValue(r, iso(r))] } : {}),
  }),
};

type FieldType = 'int' | 'string' | 'timestamp' | 'sampleValue' | 'samples' | 'meterValues' | 'data';
interface Field {
  path: readonly (string | number)[];
  type: FieldType;
}

const SAMPLE_STRINGS = ['context', 'format', 'measurand', 'phase', 'location', 'unit'];
const meterValueFields = (root: string): Field[] => [
  { path: [root], type: 'meterValues' },
  { path: [root, 0, 'timestamp'], type: 'timestamp' },
  { path: [root, 0, 'sampledValue'], type: 'samples' },
  { path: [root, 0, 'sampledValue', 0, 'value'], type: 'sampleValue' },
  ...SAMPLE_STRINGS.map((name): Field => ({ path: [root, 0, 'sampledValue', 0, name], type: 'string' })),
];
const strings = (...names: string[]): Field[] => names.map((name) => ({ path: [name], type: 'string' }));

/** Every field of every request, optional ones included (a mutation may add them). */
const FIELDS: Record<ChargerAction, Field[]> = {
  Authorize: strings('idTag'),
  BootNotification: strings('chargePointVendor', 'chargePointModel', 'chargePointSerialNumber', 'chargeBoxSerialNumber', 'firmwareVersion', 'iccid', 'imsi', 'meterType', 'meterSerialNumber'),
  DataTransfer: [...strings('vendorId', 'messageId'), { path: ['data'], type: 'data' }],
  DiagnosticsStatusNotification: strings('status'),
  FirmwareStatusNotification: strings('status'),
  Heartbeat: [],
  MeterValues: [{ path: ['connectorId'], type: 'int' }, { path: ['transactionId'], type: 'int' }, ...meterValueFields('meterValue')],
  StartTransaction: [
    { path: ['connectorId'], type: 'int' }, ...strings('idTag'), { path: ['meterStart'], type: 'int' },
    { path: ['reservationId'], type: 'int' }, { path: ['timestamp'], type: 'timestamp' },
  ],
  StatusNotification: [
    { path: ['connectorId'], type: 'int' }, ...strings('errorCode', 'info', 'status', 'vendorId', 'vendorErrorCode'), { path: ['timestamp'], type: 'timestamp' },
  ],
  StopTransaction: [
    ...strings('idTag', 'reason'), { path: ['meterStop'], type: 'int' }, { path: ['timestamp'], type: 'timestamp' },
    { path: ['transactionId'], type: 'int' }, ...meterValueFields('transactionData'),
  ],
};

/** A hostile value, given the valid one it replaces. */
interface Case {
  name: string;
  value: (current: unknown, r: Random) => unknown;
  /** Up to the frame limit: costly to send and parse, so tried less often. */
  heavy?: boolean;
  /** Nested deeper than any sane limit, which makes the frame malformed. */
  deep?: boolean;
}
const is = (name: string, value: unknown): Case => ({ name, value: () => value });
const from = (name: string, value: Case['value']): Case => ({ name, value });
const heavy = (hostile: Case): Case => ({ ...hostile, heavy: true });
const deep = (hostile: Case): Case => ({ ...hostile, heavy: true, deep: true });

/** The share of picks of a frame near the size limit that stand; the rest pick again. */
const HEAVY_SHARE = 0.2;

function pickCase(r: Random, cases: readonly Case[]): Case {
  const first = r.pick(cases);
  return first.heavy && !r.chance(HEAVY_SHARE) ? r.pick(cases) : first;
}

const insideString = (insert: string): Case['value'] => (current, r) => {
  const text = typeof current === 'string' && current !== '' ? current : 'text';
  const at = r.int(text.length + 1);
  return text.slice(0, at) + insert + text.slice(at);
};

/** Wrong types, tried on every field. */
const WRONG_TYPES: Case[] = [
  is('null', null), is('true', true), is('empty object', {}), is('object', { value: 1 }), is('empty array', []),
  is('array', [1, 'a']), is('missing', MISSING),
];

const INT_CASES: Case[] = [
  is('int32+1', 2147483648), is('int32-1', -2147483649), is('2^53+1', new Raw('9007199254740993')),
  is('int64 max literal', new Raw('9223372036854775807')), is('1e300', 1e300), is('-1e300', -1e300), is('1e400 literal', new Raw('1e400')),
  is('-1', -1), is('0', 0), is('-5', -5), is('-0', new Raw('-0')), is('0.5', 0.5), is('1.5', 1.5), is('1.0 literal', new Raw('1.0')),
  is('string "1"', '1'), is('string "abc"', 'abc'), is('string ""', ''), is('string "2147483648"', '2147483648'),
  is('string 20 digits', '99999999999999999999'), is('string " 1 "', ' 1 '), is('string "1.5"', '1.5'),
  is('30-digit literal', new Raw(`1${'0'.repeat(30)}`)), is('400-digit literal', new Raw(`9${'9'.repeat(399)}`)),
];

const STRING_CASES: Case[] = [
  from('NUL inside', insideString('\u0000')), from('lone high surrogate', insideString('\ud800')),
  from('lone low surrogate', insideString('\udfff')), from('reversed surrogates', insideString('\udc00\ud800')),
  from('control characters', insideString('\u0001\u001b[31m\u007f')), from('bidi and zero-width', insideString('\u202e\u200b\ufeff')),
  is('astral characters', '🔌⚡🔋'), is('empty', ''), is('whitespace', ' \t\n'), is('over length (51)', 'L'.repeat(51)),
  is('SQL quote', "'); drop table chargers; --"), is('unknown enum value', 'Sideways'),
  is('10 KB', longString(10 * 1024)), is('10 KB of NUL and surrogates', '\u0000\ud800'.repeat(1024)), heavy(is('200 KB', longString(200 * 1024))),
  is('number', 42), is('1e300', 1e300),
];

const TIMESTAMP_CASES: Case[] = [
  is('max date', '+275760-09-13T00:00:00Z'), is('min date', '-271821-04-20T00:00:00Z'), is('year 0', '0000-01-01T00:00:00Z'),
  is('year 10000', '+010000-01-01T00:00:00Z'), is('year 9999', '9999-12-31T23:59:59.999Z'), is('empty', ''),
  is('not a date', 'yesterday'), is('month 13', '2026-13-45T99:99:99Z'), is('date only', '2026-01-01'), is('no zone', '2026-01-01T10:00:00'),
  is('+14:00 offset', '2026-01-01T10:00:00+14:00'), is('leap second', '2016-12-31T23:59:60Z'), is('string "NaN"', 'NaN'),
  is('1e300 number', 1e300), is('1e400 literal', new Raw('1e400')), is('-1 number', -1), is('0 number', 0),
  from('epoch seconds', (_current, r) => Math.floor(epochSeconds(r))), from('epoch seconds float', (_current, r) => epochSeconds(r) + 0.25),
  from('epoch ms', (_current, r) => epochSeconds(r) * 1000), from('epoch µs', (_current, r) => epochSeconds(r) * 1_000_000),
  is('2^53+1 literal', new Raw('9007199254740993')),
];

const SAMPLE_VALUE_CASES: Case[] = [
  is('"abc"', 'abc'), is('""', ''), is('"NaN"', 'NaN'), is('"1e400"', '1e400'), is('"-0"', '-0'), is('"0x10"', '0x10'),
  is('"Infinity"', 'Infinity'), is('"-1e308"', '-1e308'), is('" 12 "', ' 12 '), is('"1,5"', '1,5'), is('"1e-400"', '1e-400'),
  is('number 12.5', 12.5), is('number 1e300', 1e300), is('number -1', -1), is('1e400 literal', new Raw('1e400')),
  is('10 KB of digits', '9'.repeat(10 * 1024)), from('NUL inside', insideString('\u0000')), from('lone surrogate', insideString('\ud800')),
];

const SAMPLES_CASES: Case[] = [
  is('object, not array', { value: '1' }), is('string', '12.5'), is('number', 5), is('[]', []), is('[null]', [null]), is('[5]', [5]),
  is('[[]]', [[]]), is('sample without value', [{ unit: 'Wh' }]), is('sample with unknown field', [{ value: '1', colour: 'red' }]),
  heavy(is('10,000 samples', manyItems(10_000, '{"value":"1"}'))),
];

const METER_VALUES_CASES: Case[] = [
  from('object, not array', (_current, r) => meterValue(r, iso(r))), is('string', 'garbage'), is('number', 7), is('[]', []),
  is('[null]', [null]), is('[5]', [5]), is('[{}]', [{}]), is('without timestamp', [{ sampledValue: [{ value: '1' }] }]),
  from('without sampledValue', (_current, r) => [{ timestamp: iso(r) }]),
  heavy(is('3,000 meterValues', manyItems(3_000, '{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":"1"}]}'))),
];

const DATA_CASES: Case[] = [
  deep(from('deep array', (_current, r) => deepArray(r.pick(ARRAY_DEPTHS)))),
  deep(from('deep object', (_current, r) => deepObject(r.pick(OBJECT_DEPTHS)))),
  heavy(from('deep nesting as a JSON string', (_current, r) => deepArray(r.pick(ARRAY_DEPTHS)).json)),
  is('object', { connectorId: 1, chargeLevel: 55 }), is('array', [1, 2, 3]), is('number', 1e300), heavy(is('50,000-element array', manyItems(50_000, '0'))),
  ...STRING_CASES,
];

const CASES: Record<FieldType, Case[]> = {
  int: [...INT_CASES, ...WRONG_TYPES],
  string: [...STRING_CASES, ...WRONG_TYPES],
  timestamp: [...TIMESTAMP_CASES, ...WRONG_TYPES],
  sampleValue: [...SAMPLE_VALUE_CASES, ...WRONG_TYPES],
  samples: [...SAMPLES_CASES, ...WRONG_TYPES],
  meterValues: [...METER_VALUES_CASES, ...WRONG_TYPES],
  data: [...DATA_CASES, ...WRONG_TYPES],
};

function valueAt(payload: Payload, path: Field['path']): unknown {
  let node: unknown = payload;
  for (const step of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[step] : undefined;
  return node;
}

/** Sets (or with MISSING deletes) a nested field, creating the containers on the way. */
function setAt(payload: Payload, path: Field['path'], value: unknown): void {
  let node = payload as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i]!;
    let child = node[step];
    if (child === null || typeof child !== 'object') node[step] = child = typeof path[i + 1] === 'number' ? [] : {};
    node = child as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === MISSING) delete node[last];
  else node[last] = value;
}

/** `meterValue.sampledValue.value`: the path without array indexes. */
const label = (path: Field['path']) => path.filter((step) => typeof step === 'string').join('.');

type Generator = (r: Random, id: string) => FuzzFrame;

const call = (id: string | number, action: string, payloadJson: string) => `[2,${JSON.stringify(id)},${JSON.stringify(action)},${payloadJson}]`;

const valid: Generator = (r, id) => {
  const action = r.pick(CHARGER_ACTIONS);
  return { text: call(id, action, toJson(VALID[action](r))), id, action, kind: 'valid' };
};

const ACTIONS_WITH_FIELDS = CHARGER_ACTIONS.filter((name) => FIELDS[name].length > 0);

/** One field of a valid message made hostile. */
const fieldMutation: Generator = (r, id) => {
  const action = r.pick(ACTIONS_WITH_FIELDS);
  const payload = VALID[action](r);
  const field = r.pick(FIELDS[action]);
  // A hostile sample inside transactionData needs the rest of a valid meterValue around it.
  if (field.path[0] === 'transactionData' && field.path.length > 1) payload.transactionData ??= [meterValue(r, iso(r))];
  const hostile = pickCase(r, CASES[field.type]);
  setAt(payload, field.path, hostile.value(valueAt(payload, field.path), r));
  const kind = `${label(field.path)} ${hostile.name}`;
  return { text: call(id, action, toJson(payload)), id, action, kind, ...(hostile.deep ? { malformed: true } : {}) };
};

const EXTRA_FIELDS: Case[] = [
  is('unknown field', 'red'), deep(from('unknown deep array field', (_current, r) => deepArray(r.pick(ARRAY_DEPTHS)))),
  deep(from('unknown deep object field', (_current, r) => deepObject(r.pick(OBJECT_DEPTHS)))),
  heavy(is('unknown 50,000-element field', manyItems(50_000, '0'))), heavy(is('unknown 200 KB field', longString(200 * 1024))),
];

/** Changes to a message as a whole: its shape rather than one value. */
const payloadMutation: Generator = (r, id) => {
  const action = r.pick(CHARGER_ACTIONS);
  const payload = VALID[action](r);
  const json = toJson(payload);
  const keys = Object.keys(payload);
  switch (r.int(8)) {
    case 0: {
      const extra = pickCase(r, EXTRA_FIELDS);
      const text = call(id, action, toJson({ ...payload, [r.pick(['colour', 'x', '__extra'])]: extra.value(undefined, r) }));
      return { text, id, action, kind: `payload ${extra.name}`, ...(extra.deep ? { malformed: true } : {}) };
    }
    case 1: {
      // JSON.parse keeps the last of duplicate keys: both orders are tried.
      const key = keys.length ? r.pick(keys) : 'connectorId';
      const hostile = toJson(r.pick([2147483648, -1, 'abc', null, '\u0000', [], {}]));
      const hostileLast = r.chance(0.5);
      const text = hostileLast
        ? `${json.slice(0, -1)}${keys.length ? ',' : ''}${JSON.stringify(key)}:${hostile}}`
        : `{${JSON.stringify(key)}:${hostile}${keys.length ? ',' : ''}${json.slice(1)}`;
      return { text: call(id, action, text), id, action, kind: `payload duplicate key, ${hostileLast ? 'hostile' : 'valid'} last` };
    }
    case 2:
      return { text: call(id, action, 'null'), id, action, kind: 'payload null' };
    case 3: {
      const shape = r.pick([['array', '[]'], ['array of the payload', `[${json}]`], ['string', '"payload"'], ['number', '0'], ['true', 'true']] as const);
      return { text: call(id, action, shape[1]), id, action, kind: `payload ${shape[0]}`, malformed: true };
    }
    case 4:
      return { text: call(id, action, '{}'), id, action, kind: 'payload empty object' };
    case 5: {
      // Keys an object spread or a lookup table might trip over.
      const key = r.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
      return { text: call(id, action, `${json.slice(0, -1)}${keys.length ? ',' : ''}${JSON.stringify(key)}:{"registration":"Accepted","polluted":true}}`), id, action, kind: `payload key ${key}` };
    }
    case 6: {
      // Every field of the wrong type at once.
      const fields = FIELDS[action].filter((field) => field.path.length === 1);
      for (const field of fields) setAt(payload, field.path, field.type === 'string' ? 7 : 'x');
      return { text: call(id, action, toJson(payload)), id, action, kind: 'payload all fields wrong type' };
    }
    default: {
      const dropped = keys.filter(() => r.chance(0.5));
      for (const key of dropped.length ? dropped : keys) delete payload[key];
      return { text: call(id, action, toJson(payload)), id, action, kind: 'payload fields missing' };
    }
  }
};

const LEGACY_VALUES: unknown[] = [55, '55', 12.5, '12.5', 0, '', 'abc', null, {}, [], 1e300, -1, '1e400', { value: '7', unit: 'W' }, { value: null }, { value: 'x' }, { value: 1e300 }];
const LEGACY_CONNECTORS: unknown[] = ['1', '2', ' 1 ', '01', '0', '99999999999999999999', '2147483648', '-1', '1.5', '', 'one', 1];

/** Messages shaped like the FlexiCharge charger's (normalize.ts), some of them hostile. */
const flexiCharge: Generator = (r, id) => {
  const connectorId = r.chance(0.7) ? '1' : r.pick(LEGACY_CONNECTORS);
  const connectorKind = connectorId === '1' ? '' : ` connectorId ${JSON.stringify(connectorId)}`;
  const seconds = epochSeconds(r) + r.int(1000) / 1000;
  switch (r.int(7)) {
    case 0:
      return {
        text: call(id, 'StartTransaction', toJson({ connectorId, id_tag: r.pick(['1', String(r.int(99999)), hex(r, 8)]), meterStart: 0, timestamp: seconds, ...(r.chance(0.3) ? { reservationId: r.pick([null, '3', 'abc', '99999999999999999999']) } : {}) })),
        id, action: 'StartTransaction', kind: `flexi StartTransaction${connectorKind}`,
      };
    case 1:
      return {
        text: call(id, 'StopTransaction', toJson({ transactionId: r.chance(0.5) ? 1 : transactionId(r), meterStop: r.int(50_000), timestamp: seconds, id_tag: r.chance(0.5) ? '1' : null, transactionData: r.chance(0.3) ? null : undefined })),
        id, action: 'StopTransaction', kind: 'flexi StopTransaction',
      };
    case 2: {
      const values: Payload = {};
      for (const name of ['chargingPercent', 'chargingPower', 'chargedSoFar', 'unknownReading']) if (r.chance(0.8)) values[name] = r.pick(LEGACY_VALUES);
      const shape = r.int(10);
      const legacy = shape === 0 ? r.pick<unknown>(['values', 5, null, [1, 2]]) : values;
      return {
        text: call(id, 'MeterValues', toJson({ connectorId, transactionId: r.pick<unknown>([1, transactionId(r), '1', '12', 'abc']), timestamp: r.pick<unknown>([seconds * 1000, seconds, iso(r), 'soon', 1e300]), values: legacy })),
        id, action: 'MeterValues', kind: `flexi MeterValues${shape === 0 ? ' values not an object' : ''}${connectorKind}`,
      };
    }
    case 3:
      return {
        text: call(id, 'StatusNotification', toJson({ connectorId, errorCode: r.pick(['', 'NoError', undefined]), status: r.pick(STATUSES), timestamp: seconds })),
        id, action: 'StatusNotification', kind: `flexi StatusNotification${connectorKind}`,
      };
    case 4:
      return { text: call(id, 'Authorize', toJson(r.pick<Payload>([{ id_tag: '1' }, { idTag: 12345 }, { idTag: null }, { id_tag: 'A', idTag: 'B' }, { idTag: 1e300 }]))), id, action: 'Authorize', kind: 'flexi Authorize' };
    case 5:
      return {
        text: call(id, 'DataTransfer', toJson({ vendorId: 'com.flexicharge', messageId: 'ChargeLevelUpdate', data: r.pick<unknown>([{ transactionId: 1, chargeLevel: 55 }, [1, 2], 7, null, true]) })),
        id, action: 'DataTransfer', kind: 'flexi DataTransfer data not a string',
      };
    default: {
      // Numeric message ids, as the FlexiCharge charger sends them.
      const numericId = 1 + r.int(1_000_000);
      return { text: call(numericId, 'Heartbeat', '{}'), id: numericId, action: 'Heartbeat', kind: 'flexi numeric message id' };
    }
  }
};

const UNRECOVERABLE = '-1';

/** Frames broken at the OCPP-J level. */
const brokenFrame: Generator = (r, id) => {
  const malformed = true;
  // The last three are frames near the size limit.
  const shape = r.int(14);
  switch (shape >= 11 && !r.chance(HEAVY_SHARE) ? r.int(11) : shape) {
    case 0: {
      // Cut after the id, so the id can still be read from the head of the frame.
      const action = r.pick(CHARGER_ACTIONS);
      const whole = call(id, action, toJson(VALID[action](r)));
      const head = call(id, action, '{}').indexOf(',', 3);
      return { text: whole.slice(0, head + 1 + r.int(whole.length - head - 1)), id, action, kind: 'frame truncated JSON', malformed };
    }
    case 1:
      return { text: r.pick(['}{', 'hello', '{"a":', '\u0000', 'NaN', '[,]', '[2,,]', "['2','x']"]), id: UNRECOVERABLE, kind: 'frame not JSON', malformed };
    case 2:
      return { text: r.pick(['{"a":1}', '"text"', '42', 'null', 'true', '[]', '[2]', `[${JSON.stringify(id)}]`]), id: UNRECOVERABLE, kind: 'frame not a [type, id, …] array', malformed };
    case 3:
      return { text: r.pick(['', ' ', '\n']), id: UNRECOVERABLE, kind: 'frame empty', malformed };
    case 4: {
      const shape = r.pick([
        ['CALL [2, id]', `[2,${JSON.stringify(id)}]`], ['CALL without payload', `[2,${JSON.stringify(id)},"Heartbeat"]`],
        ['CALL with numeric action', `[2,${JSON.stringify(id)},5,{}]`], ['CALL with empty action', `[2,${JSON.stringify(id)},"",{}]`],
        ['CALL with 5 elements', `[2,${JSON.stringify(id)},"Heartbeat",{},{}]`],
      ] as const);
      return { text: shape[1], id, action: shape[0] === 'CALL with 5 elements' ? 'Heartbeat' : undefined, kind: `frame ${shape[0]}`, malformed };
    }
    case 5: {
      const type = r.pick(['7', '0', '1', '5', '-2', '2.5', '"2"', 'null', '[2]']);
      return { text: `[${type},${JSON.stringify(id)},"Heartbeat",{}]`, id, kind: `frame message type ${type}`, malformed };
    }
    case 6: {
      const bad = r.pick([
        ['200 chars', JSON.stringify('i'.repeat(200))], ['129 chars', JSON.stringify('i'.repeat(129))], ['empty', '""'], ['object', '{"x":1}'],
        ['array', '["a"]'], ['null', 'null'], ['true', 'true'], ['1e400', '1e400'],
      ] as const);
      return { text: `[2,${bad[1]},"Heartbeat",{}]`, id: UNRECOVERABLE, kind: `frame id ${bad[0]}`, malformed };
    }
    case 7: {
      // Ids the server must echo exactly as they came.
      const [name, json] = r.pick([
        ['128 chars', JSON.stringify(`${id}-`.padEnd(128, 'i'))], ['36 chars', JSON.stringify(`${id}-`.padEnd(36, 'i'))],
        ['with NUL', JSON.stringify(`${id}\u0000`)], ['lone surrogate', JSON.stringify(`${id}\ud800`)], ['astral', JSON.stringify(`${id}🔌`)],
        ['number 0', '0'], ['number -1', '-1'], ['number 1.5', '1.5'], ['number 1e300', '1e300'], ['number 2^53+1', '9007199254740993'], ['number -0', '-0'],
      ] as const);
      return { text: `[2,${json},"Heartbeat",{}]`, id: JSON.parse(json) as string | number, action: 'Heartbeat', kind: `frame id ${name}` };
    }
    case 8: {
      // Answers to commands nobody sent: dropped, no answer due.
      const text = r.pick([
        `[3,${JSON.stringify(id)},{"status":"Accepted"}]`, `[3,${JSON.stringify(id)},"DataTransfer",{"status":"Accepted"}]`, `[3,${JSON.stringify(id)}]`,
        `[3,${JSON.stringify(id)},5]`, `[4,${JSON.stringify(id)},"GenericError","",{}]`, `[4,${JSON.stringify(id)}]`, `[4,${JSON.stringify(id)},5,6,7]`,
      ]);
      return { text, kind: 'frame answer to nothing' };
    }
    case 9: {
      const action = r.pick(CHARGER_ACTIONS);
      return { text: Buffer.from(call(id, action, toJson(VALID[action](r)))), binary: true, id, action, kind: 'frame binary CALL', malformed };
    }
    case 10: {
      // 0xff first: no JSON, so no id to recover.
      const bytes = Buffer.from(Array.from({ length: 1 + r.int(64) }, (_unused, i) => (i === 0 ? 0xff : r.int(256))));
      return { text: bytes, binary: true, id: UNRECOVERABLE, kind: 'frame binary garbage', malformed };
    }
    case 11: {
      const over = 1 + r.int(4096);
      const head = call(id, 'DataTransfer', '{"vendorId":"com.example","data":"');
      return { text: `${head}${'y'.repeat(MAX_FRAME_BYTES + over - head.length - 3)}"}]`, id, action: 'DataTransfer', kind: 'frame over the size limit', malformed };
    }
    case 12: {
      // Exactly at the limit: still a frame to answer normally.
      const head = call(id, 'DataTransfer', '{"vendorId":"com.example","data":"');
      return { text: `${head}${'y'.repeat(MAX_FRAME_BYTES - head.length - 3)}"}]`, id, action: 'DataTransfer', kind: 'frame at the size limit' };
    }
    default: {
      const depth = r.pick(ARRAY_DEPTHS);
      return { text: `[2,${JSON.stringify(id)},"Heartbeat",{},${deepArray(depth).json}]`, id, action: 'Heartbeat', kind: 'frame deep trailing element', malformed };
    }
  }
};

/** How often each kind of frame comes: mostly messages, so the server also gets to do its real work. */
const MIX: [weight: number, Generator][] = [[20, valid], [42, fieldMutation], [10, payloadMutation], [13, flexiCharge], [15, brokenFrame]];
const TOTAL_WEIGHT = MIX.reduce((sum, [weight]) => sum + weight, 0);

export function createFuzzer(seed: number): Fuzzer {
  const r = new Random(seed);
  const prefix = `fz${(seed >>> 0).toString(36)}-`;
  let count = 0;
  return {
    next() {
      const id = `${prefix}${(count++).toString(36)}`;
      let roll = r.int(TOTAL_WEIGHT);
      const [, generate] = MIX.find(([weight]) => (roll -= weight) < 0)!;
      return generate(r, id);
    },
  };
}
