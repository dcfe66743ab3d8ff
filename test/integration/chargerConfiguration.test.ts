import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError, ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

type Key = { key: string; value: string | null; readonly: boolean | null; readAt: string | null; desired: any; lastChange: any };

describe('charger configuration over HTTP', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let token: string;
  const sims: ChargerSimulator[] = [];
  const db = () => t.system.database.db;

  const request = (method: string, url: string, body?: unknown) => t.request(method, url, { token, ...(body === undefined ? {} : { body }) });
  const configuration = async (chargerId: number) => {
    const response = await request('GET', `/chargers/${chargerId}/configuration`);
    expect(response.status, response.text).toBe(200);
    return response.body as { readAt: string | null; unknownKeys: string[]; rebootRequired: boolean; keys: Key[] };
  };
  const keyOf = async (chargerId: number, key: string) => (await configuration(chargerId)).keys.find((k) => k.key === key);

  async function charger(serial: string, options: Partial<ConstructorParameters<typeof ChargerSimulator>[0]> = {}): Promise<ChargerSimulator> {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${serial}`, meterValueIntervalMs: 0, ...options });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    return sim;
  }

  beforeAll(async () => {
    t = await startTestSystem({ OCPP_CALL_TIMEOUT: '2' });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [100004, 100005, 100006, 100008]).execute();
    token = await t.adminToken();
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
    await t?.close();
  });

  it('shows nothing before a read, then the GetConfiguration answer after a refresh', async () => {
    await charger('abc114', { connectors: 2 });
    expect(await configuration(100004)).toEqual({ chargerId: 100004, readAt: null, unknownKeys: [], rebootRequired: false, keys: [] });

    const refreshed = await request('GET', '/chargers/100004/configuration?refresh=true');
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body.readAt).toEqual(expect.any(String));
    expect(refreshed.body.unknownKeys).toEqual([]);
    const connectors = refreshed.body.keys.find((k: Key) => k.key === 'NumberOfConnectors');
    expect(connectors).toEqual({ key: 'NumberOfConnectors', value: '2', readonly: true, readAt: refreshed.body.readAt, desired: null, lastChange: null });
    expect(refreshed.body.keys.find((k: Key) => k.key === 'MeterValueSampleInterval')).toMatchObject({ value: '0', readonly: false });
    // Stored: the next read without a refresh shows the same answer.
    expect(await configuration(100004)).toEqual(refreshed.body);
  });

  it('changes a key and records each answer the charger gives: Accepted, RebootRequired, Rejected, NotSupported', async () => {
    const sim = sims[0]!;
    const before = new Date().toISOString();
    const accepted = await request('PUT', '/chargers/100004/configuration/MeterValueSampleInterval', { value: '30' });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toEqual({ key: 'MeterValueSampleInterval', value: '30', status: 'Accepted' });
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('30');
    const interval = await keyOf(100004, 'MeterValueSampleInterval');
    expect(interval).toMatchObject({ value: '30', readonly: false, lastChange: { status: 'Accepted', value: '30', error: null, by: 'configuration' } });
    expect(interval!.lastChange.at >= before).toBe(true);

    const reboot = await request('PUT', '/chargers/100004/configuration/WebSocketPingInterval', { value: '60' });
    expect(reboot.body.status).toBe('RebootRequired');
    const afterReboot = await configuration(100004);
    expect(afterReboot.rebootRequired).toBe(true);
    expect(afterReboot.keys.find((k) => k.key === 'WebSocketPingInterval')).toMatchObject({ value: '60', lastChange: { status: 'RebootRequired', value: '60' } });

    const rejected = await request('PUT', '/chargers/100004/configuration/MeterValueSampleInterval', { value: 'often' });
    expect(rejected.body.status).toBe('Rejected');
    // A refused value is not taken: the key keeps the value the charger holds.
    expect(await keyOf(100004, 'MeterValueSampleInterval')).toMatchObject({ value: '30', lastChange: { status: 'Rejected', value: 'often' } });
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('30');

    const unknown = await request('PUT', '/chargers/100004/configuration/NoSuchKey', { value: '1' });
    expect(unknown.body.status).toBe('NotSupported');
    expect(await keyOf(100004, 'NoSuchKey')).toMatchObject({ value: null, readonly: null, lastChange: { status: 'NotSupported', value: '1' } });
  });

  it('refuses a key the stored configuration shows read-only, without asking the charger', async () => {
    const asked: string[] = [];
    sims[0]!.on('call', (action) => asked.push(action));
    const response = await request('PUT', '/chargers/100004/configuration/NumberOfConnectors', { value: '4' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('configurationKeyReadOnly');
    expect(asked).toEqual([]);
    const desired = await request('PUT', '/chargers/100004/desired-configuration/NumberOfConnectors', { value: '4' });
    expect(desired.status).toBe(409);
    expect(desired.body.code).toBe('configurationKeyReadOnly');
  });

  it('no longer shows a reboot as required once the charger has booted again', async () => {
    expect((await configuration(100004)).rebootRequired).toBe(true);
    await sims[0]!.close();
    await charger('abc114', { connectors: 2 });
    await until(async () => !(await configuration(100004)).rebootRequired);
    expect(await keyOf(100004, 'WebSocketPingInterval')).toMatchObject({ lastChange: { status: 'RebootRequired' } });
  });

  it('records a CALLERROR (502) and no answer (504) as Failed; an offline charger is 409 and nothing is recorded', async () => {
    const sim = await charger('abc115', {
      behaviour: {
        ChangeConfiguration: (payload) => {
          if (payload.key === 'Silent') return new Promise(() => undefined);
          throw new CallError('InternalError', 'configuration store is broken');
        },
      },
    });
    const broken = await request('PUT', '/chargers/100005/configuration/HeartbeatInterval', { value: '60' });
    expect(broken.status).toBe(502);
    expect(broken.body.code).toBe('InternalError');
    expect(await keyOf(100005, 'HeartbeatInterval')).toMatchObject({ lastChange: { status: 'Failed', value: '60', error: expect.stringContaining('InternalError') } });

    const silent = await request('PUT', '/chargers/100005/configuration/Silent', { value: '1' });
    expect(silent.status).toBe(504);
    expect(silent.body.code).toBe('chargerTimeout');
    expect(await keyOf(100005, 'Silent')).toMatchObject({ lastChange: { status: 'Failed', error: expect.stringContaining('chargerTimeout') } });
    await sim.close();

    const offline = await request('PUT', '/chargers/100008/configuration/HeartbeatInterval', { value: '60' });
    expect(offline.status).toBe(409);
    expect(offline.body.code).toBe('chargerOffline');
    const refresh = await request('GET', '/chargers/100008/configuration?refresh=true');
    expect(refresh.status).toBe(409);
    expect((await configuration(100008)).keys).toEqual([]);
  });

  it('pushes the desired configuration of the charge point and the charger after each boot, and shows each key\'s result', async () => {
    const set = async (url: string, value: string) => {
      const response = await request('PUT', url, { value });
      expect(response.status, response.text).toBe(200);
      return response.body;
    };
    // Charger 100006 is offline: nothing is pushed yet.
    expect((await set('/chargePoints/3/desired-configuration/MeterValueSampleInterval', '45')).pushed).toEqual([]);
    expect(await set('/chargePoints/3/desired-configuration/HeartbeatInterval', '120')).toMatchObject({ key: 'HeartbeatInterval', value: '120', pushed: [] });
    await set('/chargePoints/3/desired-configuration/NumberOfConnectors', '3');
    await set('/chargers/100006/desired-configuration/MeterValueSampleInterval', '15');
    await set('/chargers/100006/desired-configuration/MeterValuesSampledData', 'Energy.Active.Import.Register');

    expect((await request('GET', '/chargePoints/3/desired-configuration')).body.map((k: Key) => [k.key, k.value])).toEqual([
      ['HeartbeatInterval', '120'], ['MeterValueSampleInterval', '45'], ['NumberOfConnectors', '3'],
    ]);
    expect((await request('GET', '/chargers/100006/desired-configuration')).body.map((k: Key) => [k.key, k.value])).toEqual([
      ['MeterValueSampleInterval', '15'], ['MeterValuesSampledData', 'Energy.Active.Import.Register'],
    ]);

    const pushed = async (readAfter: string | null) => {
      await until(async () => {
        const view = await configuration(100006);
        return view.readAt !== null && view.readAt !== readAfter;
      });
      return configuration(100006);
    };

    let sim = await charger('abc116');
    const first = await pushed(null);
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('15');
    expect(sim.configurationValue('HeartbeatInterval')).toBe('120');
    expect(sim.configurationValue('MeterValuesSampledData')).toBe('Energy.Active.Import.Register');
    const byKey = (view: typeof first) => Object.fromEntries(view.keys.map((k) => [k.key, k]));
    let keys = byKey(first);
    expect(keys.MeterValueSampleInterval).toMatchObject({
      value: '15', readonly: false, desired: { value: '15', source: 'charger' }, lastChange: { status: 'Accepted', value: '15', by: 'configuration' },
    });
    expect(keys.HeartbeatInterval).toMatchObject({ value: '120', desired: { value: '120', source: 'chargePoint' }, lastChange: { status: 'Accepted', value: '120' } });
    expect(keys.MeterValuesSampledData).toMatchObject({ value: 'Energy.Active.Import.Register', desired: { source: 'charger' }, lastChange: { status: 'Accepted' } });
    // Not yet known to be read-only: sent, and refused by the charger.
    expect(keys.NumberOfConnectors).toMatchObject({ value: '1', readonly: true, desired: { value: '3', source: 'chargePoint' }, lastChange: { status: 'Rejected', value: '3', error: null } });

    // A reboot (a new charger with its factory settings on the same identity) gets them again.
    await sim.close();
    sim = await charger('abc116');
    keys = byKey(await pushed(first.readAt));
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('15');
    expect(sim.configurationValue('HeartbeatInterval')).toBe('120');
    expect(keys.MeterValueSampleInterval!.lastChange.at > first.keys.find((k) => k.key === 'MeterValueSampleInterval')!.lastChange.at).toBe(true);
    // Now known to be read-only: not sent, and the reason shown.
    expect(keys.NumberOfConnectors).toMatchObject({ lastChange: { status: 'Rejected', error: expect.stringContaining('configurationKeyReadOnly') } });
  });

  it('pushes a changed desired value at once to the chargers online that follow it', async () => {
    const sim = sims.at(-1)!;
    const heartbeat = await request('PUT', '/chargePoints/3/desired-configuration/HeartbeatInterval', { value: '90' });
    expect(heartbeat.status, heartbeat.text).toBe(200);
    expect(heartbeat.body.pushed).toEqual([{ chargerId: 100006, status: 'Accepted' }]);
    expect(sim.configurationValue('HeartbeatInterval')).toBe('90');
    expect(await keyOf(100006, 'HeartbeatInterval')).toMatchObject({ value: '90', desired: { value: '90', source: 'chargePoint' } });

    // The charger's own value wins: the charge point's change is not sent to it.
    const shadowed = await request('PUT', '/chargePoints/3/desired-configuration/MeterValueSampleInterval', { value: '50' });
    expect(shadowed.body.pushed).toEqual([]);
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('15');

    // Without its own value, the charger follows its charge point's at once.
    const removed = await request('DELETE', '/chargers/100006/desired-configuration/MeterValueSampleInterval');
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.pushed).toEqual([{ chargerId: 100006, status: 'Accepted' }]);
    expect(sim.configurationValue('MeterValueSampleInterval')).toBe('50');
    expect(await keyOf(100006, 'MeterValueSampleInterval')).toMatchObject({ value: '50', desired: { value: '50', source: 'chargePoint' } });

    expect((await request('DELETE', '/chargePoints/3/desired-configuration/HeartbeatInterval')).body).toEqual({ pushed: [] });
    expect(await keyOf(100006, 'HeartbeatInterval')).toMatchObject({ value: '90', desired: null });
    expect(sim.configurationValue('HeartbeatInterval')).toBe('90');
  });

  it('sends no configuration command to a FlexiCharge charger, whose firmware does not answer them, and records why', async () => {
    const desired = await request('PUT', '/chargePoints/4/desired-configuration/MeterValueSampleInterval', { value: '10' });
    expect(desired.status).toBe(200);
    const sim = await charger('abc117', { dialect: 'flexicharge' });
    const asked: string[] = [];
    sim.on('call', (action) => asked.push(action));
    await until(async () => (await keyOf(100007, 'MeterValueSampleInterval'))?.lastChange !== null);
    expect(await keyOf(100007, 'MeterValueSampleInterval')).toMatchObject({ lastChange: { status: 'Failed', value: '10', error: expect.stringContaining('NotSupported') } });
    const change = await request('PUT', '/chargers/100007/configuration/HeartbeatInterval', { value: '60' });
    expect(change.status).toBe(502);
    expect(change.body.code).toBe('NotSupported');
    expect((await request('GET', '/chargers/100007/configuration?refresh=true')).status).toBe(502);
    expect(asked.filter((action) => action.endsWith('Configuration'))).toEqual([]);
    // The charger is served as before.
    await until(async () => sim.bootData !== undefined);
    expect(sim.bootData).toMatchObject({ connectorID: 100007 });
  });

  it('answers bad input with 4xx and the error envelope', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['PUT', '/chargers/100004/configuration/HeartbeatInterval', { value: 60 }, 400, 'invalidConfigurationValue'],
      ['PUT', '/chargers/100004/configuration/HeartbeatInterval', { value: 'x'.repeat(501) }, 400, 'invalidConfigurationValue'],
      ['PUT', '/chargers/100004/configuration/HeartbeatInterval', {}, 400, 'invalidConfigurationValue'],
      ['PUT', `/chargers/100004/configuration/${'K'.repeat(51)}`, { value: '1' }, 400, 'invalidConfigurationKey'],
      ['PUT', '/chargers/100004/configuration/Heartbeat%20Interval', { value: '1' }, 400, 'invalidConfigurationKey'],
      ['GET', '/chargers/abc/configuration', undefined, 400, 'invalidconnectorID'],
      ['GET', '/chargers/100004/configuration?refresh=maybe', undefined, 400, 'invalidRefresh'],
      ['GET', '/chargers/999999/configuration', undefined, 404, 'notFoundError'],
      ['PUT', '/chargers/999999/configuration/HeartbeatInterval', { value: '1' }, 404, 'notFoundError'],
      ['PUT', '/chargers/999999/desired-configuration/HeartbeatInterval', { value: '1' }, 404, 'notFoundError'],
      ['PUT', '/chargePoints/99/desired-configuration/HeartbeatInterval', { value: '1' }, 404, 'notFoundError'],
      ['GET', '/chargePoints/99/desired-configuration', undefined, 404, 'notFoundError'],
      ['DELETE', '/chargePoints/1/desired-configuration/NeverSet', undefined, 404, 'notFoundError'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const response = await request(method, url, body);
      expect(response.status, `${method} ${url}: ${response.text}`).toBe(status);
      expect(response.body, `${method} ${url}`).toMatchObject({ status, code });
    }
    const user = await t.createUser();
    expect((await t.request('GET', '/chargers/100004/configuration', { token: user.token })).status).toBe(403);
  });
});
