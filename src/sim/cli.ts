import { parseArgs } from 'node:util';
import { ConnectionRefusedError } from './errors.ts';
import type { SimDialect } from './options.ts';
import { ChargerSimulator } from './simulator.ts';

const USAGE = `Plays one or more chargers against an OCPP 1.6-J central system and prints every frame.

Usage: npm run sim -- --serial <serial> [options]

  --serial <s>          charger serial = identity, the last segment of the URL (required)
  --url <url>           WebSocket base URL; the serial is appended (default ws://127.0.0.1:1337/charger)
  --dialect <d>         ocpp1.6 (standard, default) or flexicharge (the legacy FlexiCharge charger program)
  --count <n>           play n chargers (default 1): a serial ending in digits counts up
                        (--serial abc111 --count 9: abc111 … abc119), any other gets -1 … -n
                        appended (--serial sim --count 3: sim-1, sim-2, sim-3)
  --password <p>        HTTP Basic auth password (the username is the serial)
  --session             ocpp1.6: run an RFID session (Authorize, StartTransaction, meter values for
                        --duration seconds, StopTransaction), then exit. flexicharge: the real charger
                        cannot start a session itself, so it only waits for the server's ReserveNow,
                        RemoteStartTransaction and RemoteStopTransaction, like without --session
  --meter-interval <ms> MeterValues period while charging (default 1000; the real FlexiCharge charger: 200)
  --power <W>           charging power (default 11000)
  --duration <s>        length of a --session (default 30)
  --id-tag <tag>        the RFID card a --session presents (default SIMTAG01; the server must know it)
  --help                this text

After connecting, each charger sends BootNotification and (ocpp1.6 only; the FlexiCharge program
sends none) StatusNotification Available, then answers the server's commands until Ctrl-C.
Lines read "time identity → frame" for frames sent and "time identity ← frame" for frames received.`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function number(name: string, text: string, minimum: number, integer = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || (integer && !Number.isInteger(value))) fail(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${minimum}, got "${text}"`);
  return value;
}

/** The serials to play: counting up a numeric tail (keeping its width), or numbered suffixes. */
function serialsFor(serial: string, count: number): string[] {
  if (count === 1) return [serial];
  const digits = /\d+$/.exec(serial)?.[0];
  if (!digits) return Array.from({ length: count }, (_, i) => `${serial}-${i + 1}`);
  const stem = serial.slice(0, -digits.length);
  return Array.from({ length: count }, (_, i) => stem + String(Number(digits) + i).padStart(digits.length, '0'));
}

function print(identity: string, text: string): void {
  console.log(`${new Date().toISOString().slice(11, 23)} ${identity} ${text}`);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        serial: { type: 'string' },
        url: { type: 'string', default: 'ws://127.0.0.1:1337/charger' },
        dialect: { type: 'string', default: 'ocpp1.6' },
        count: { type: 'string', default: '1' },
        password: { type: 'string' },
        session: { type: 'boolean', default: false },
        'meter-interval': { type: 'string', default: '1000' },
        power: { type: 'string', default: '11000' },
        duration: { type: 'string', default: '30' },
        'id-tag': { type: 'string', default: 'SIMTAG01' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`);
  }
})();

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.serial) fail(`--serial is required\n\n${USAGE}`);
if (values.dialect !== 'ocpp1.6' && values.dialect !== 'flexicharge') fail(`--dialect must be ocpp1.6 or flexicharge, got "${values.dialect}"`);
const dialect: SimDialect = values.dialect;
const count = number('count', values.count, 1, true);
const durationMs = number('duration', values.duration, 0) * 1000;
const baseUrl = values.url.replace(/\/+$/, '');

const simulators = serialsFor(values.serial, count).map((serial) => {
  const simulator = new ChargerSimulator({
    url: `${baseUrl}/${encodeURIComponent(serial)}`,
    dialect,
    ...(values.password !== undefined && { password: values.password }),
    meterValueIntervalMs: number('meter-interval', values['meter-interval'], 0),
    powerW: number('power', values.power, 0),
    idTag: values['id-tag'],
    onFrame: (direction, frame) => print(serial, `${direction === 'out' ? '→' : '←'} ${frame}`),
  });
  simulator.on('warning', (message) => print(serial, `! ${message}`));
  return simulator;
});

let stopping = false;
async function stop(exitCode: number): Promise<never> {
  stopping = true;
  await Promise.all(simulators.map((simulator) => simulator.close()));
  process.exit(exitCode);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

let open = simulators.length;
for (const simulator of simulators) {
  simulator.once('close', (code) => {
    if (stopping) return;
    print(simulator.identity, `connection closed by the server (${code})`);
    if (--open === 0) fail('all connections are closed');
  });
}

/** ocpp1.6 --session: one RFID session of --duration seconds. */
async function runSession(simulator: ChargerSimulator): Promise<void> {
  const { transactionId, idTagInfo } = await simulator.startLocalSession();
  if (idTagInfo?.status !== 'Accepted') throw new Error(`the idTag was refused (${String(idTagInfo?.status)}); the charger stopped transaction ${transactionId}`);
  print(simulator.identity, `charging in transaction ${transactionId} for ${durationMs / 1000} s`);
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  await simulator.stopSession(1, 'Local');
  const { registerWh } = simulator.connector(1);
  print(simulator.identity, `session done, meter at ${registerWh} Wh`);
}

async function play(simulator: ChargerSimulator): Promise<void> {
  try {
    await simulator.connect();
  } catch (error) {
    const reason = error instanceof ConnectionRefusedError ? 'refused' : 'cannot connect';
    throw new Error(`${reason}: ${(error as Error).message} (${simulator.identity})`);
  }
  await simulator.boot();
  if (dialect === 'flexicharge') return;
  await simulator.statusNotification(1, 'Available');
  if (values.session) await runSession(simulator);
}

try {
  await Promise.all(simulators.map(play));
} catch (error) {
  console.error((error as Error).message);
  await stop(1);
}
if (values.session && dialect === 'ocpp1.6') await stop(0);
