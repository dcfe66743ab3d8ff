import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError, ChargerSimulator, type SimulatorOptions } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

interface SentList {
  listVersion: number;
  updateType: 'Full' | 'Differential';
  localAuthorizationList?: { idTag: string; idTagInfo?: { status: string; parentIdTag?: string } }[];
}

describe('local authorization lists', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const sims: ChargerSimulator[] = [];
  /** Standard OCPP 1.6 chargers an admin added (the seeded ones are FlexiCharge chargers), by serial number. */
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
    for (const serialNumber of ['ll-main', 'll-noversion', 'll-nolist', 'll-small', 'll-offline']) {
      const created = await t.request('POST', '/chargers', { token: admin, body: { chargePointID: 1, location: [57.78, 14.16], serialNumber } });
      ids[serialNumber] = created.body.connectorID;
    }
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
    await t?.close();
  });

  /** A booted simulator, with every SendLocalList it receives. */
  async function charger(serial: string, options: Partial<SimulatorOptions> = {}) {
    const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${serial}`, meterValueIntervalMs: 0, ...options });
    const lists: SentList[] = [];
    const actions: string[] = [];
    sim.on('call', (action, payload) => {
      actions.push(action);
      if (action === 'SendLocalList') lists.push(payload);
    });
    sims.push(sim);
    await sim.connect();
    await sim.boot();
    return { sim, lists, actions };
  }

  const state = async (chargerId: number) => (await t.request('GET', `/chargers/${chargerId}/local-list`, { token: admin })).body;
  const listVersion = async () => (await t.request('GET', '/local-list', { token: admin })).body.version as number;
  const held = (sim: ChargerSimulator, idTag: string) => sim.localList!.entries.get(idTag) as { status: string } | undefined;

  it('gives a booted charger the whole list of cards, and shows it in sync', async () => {
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'LL-ALICE' } })).status).toBe(201);
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'LL-BOB', expiresAt: '2099-01-01T00:00:00Z' } })).status).toBe(201);
    const version = await listVersion();

    const { sim, lists } = await charger('ll-main');
    await until(async () => sim.localList!.version === version);
    expect(lists).toHaveLength(1);
    expect(lists[0]!.updateType).toBe('Full');
    expect(held(sim, 'LL-ALICE')).toEqual({ status: 'Accepted' });
    expect(held(sim, 'LL-BOB')).toEqual({ status: 'Accepted', expiryDate: '2099-01-01T00:00:00.000Z' });
    await until(async () => (await state(ids['ll-main']!)).state === 'inSync');
    expect(await state(ids['ll-main']!)).toMatchObject({ chargerId: ids['ll-main'], chargerVersion: version, expectedVersion: version, lastUpdateType: 'Full', lastResult: 'Accepted' });
  });

  it('sends a blocked, a new and a removed card as Differentials that the charger applies', async () => {
    const sim = sims[0]!;
    const lists: SentList[] = [];
    sim.on('call', (action, payload) => action === 'SendLocalList' && lists.push(payload));

    expect((await t.request('PUT', '/idTags/ll-alice', { token: admin, body: { status: 'Blocked' } })).status).toBe(200);
    const blocked = await listVersion();
    await until(async () => sim.localList!.version === blocked);
    expect(lists.at(-1)).toEqual({ listVersion: blocked, updateType: 'Differential', localAuthorizationList: [{ idTag: 'LL-ALICE', idTagInfo: { status: 'Blocked' } }] });
    expect(held(sim, 'LL-ALICE')).toEqual({ status: 'Blocked' });

    // A child card follows its blocked parent.
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'LL-CHILD', parentIdTag: 'LL-ALICE' } })).status).toBe(201);
    const added = await listVersion();
    await until(async () => sim.localList!.version === added);
    expect(held(sim, 'LL-CHILD')).toEqual({ status: 'Blocked', parentIdTag: 'LL-ALICE' });

    expect((await t.request('DELETE', '/idTags/LL-BOB', { token: admin })).status).toBe(204);
    const removed = await listVersion();
    await until(async () => sim.localList!.version === removed);
    expect(lists.at(-1)).toEqual({ listVersion: removed, updateType: 'Differential', localAuthorizationList: [{ idTag: 'LL-BOB' }] });
    expect(held(sim, 'LL-BOB')).toBeUndefined();
    expect(lists.every((list) => list.updateType === 'Differential')).toBe(true);
    await until(async () => (await state(ids['ll-main']!)).state === 'inSync');
    expect(await state(ids['ll-main']!)).toMatchObject({ chargerVersion: removed, expectedVersion: removed, lastUpdateType: 'Differential' });

    const list = (await t.request('GET', '/local-list', { token: admin })).body;
    expect(list.version).toBe(removed);
    expect(list.entries).toEqual([
      { idTag: 'LL-ALICE', idTagInfo: { status: 'Blocked' } },
      { idTag: 'LL-CHILD', idTagInfo: { status: 'Blocked', parentIdTag: 'LL-ALICE' } },
    ]);
    expect([...sim.localList!.entries.keys()].sort()).toEqual(['LL-ALICE', 'LL-CHILD']);
  });

  it('gives a charger that lost its list a Full list at its boot', async () => {
    await sims.shift()!.close();
    // The same charger after a reboot that wiped its list: it reports version 0.
    const { sim, lists } = await charger('ll-main');
    const version = await listVersion();
    await until(async () => sim.localList!.version === version);
    expect(lists.map((list) => list.updateType)).toEqual(['Full']);
    expect([...sim.localList!.entries.keys()].sort()).toEqual(['LL-ALICE', 'LL-CHILD']);
    expect(held(sim, 'LL-ALICE')).toEqual({ status: 'Blocked' });
  });

  it('sends a Full list when a Differential is refused for its version', async () => {
    const sim = sims[0]!;
    const lists: SentList[] = [];
    sim.on('call', (action, payload) => action === 'SendLocalList' && lists.push(payload));
    // The charger's list was replaced behind the server's back (another central system gave it a higher version).
    sim.localList!.version = 1000;
    expect((await t.request('PUT', '/idTags/LL-ALICE', { token: admin, body: { status: 'Accepted' } })).status).toBe(200);
    const version = await listVersion();
    await until(async () => sim.localList!.version === version);
    await until(async () => (await state(ids['ll-main']!)).chargerVersion === version);
    expect(lists.map((list) => [list.updateType, list.listVersion])).toEqual([['Differential', version], ['Full', version]]);
    expect(sim.localList!.version).toBe(version);
    expect(held(sim, 'LL-ALICE')).toEqual({ status: 'Accepted' });
    expect((await state(ids['ll-main']!)).state).toBe('inSync');
  });

  it('marks chargers without a local list unsupported and sends them no changes', async () => {
    const noVersion = await charger('ll-noversion', { behaviour: { GetLocalListVersion: 'reject' } });
    const noList = await charger('ll-nolist', {
      behaviour: { SendLocalList: () => { throw new CallError('NotImplemented', 'no local list here'); } },
    });
    await until(async () => (await state(ids['ll-noversion']!)).state === 'unsupported' && (await state(ids['ll-nolist']!)).state === 'unsupported');
    expect((await state(ids['ll-noversion']!)).lastResult).toBe('GetLocalListVersion answered -1');
    expect(await state(ids['ll-nolist']!)).toMatchObject({ lastUpdateType: 'Full', lastResult: 'NotImplemented' });

    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: 'LL-DAVE' } })).status).toBe(201);
    const version = await listVersion();
    await until(async () => sims[0]!.localList!.version === version);
    expect(noVersion.actions.filter((action) => action === 'SendLocalList')).toEqual([]);
    expect(noList.lists).toHaveLength(1);
  });

  it('sends no list longer than the charger takes', async () => {
    const cards = (await t.request('GET', '/local-list', { token: admin })).body.entries.length;
    const small = await charger('ll-small', {
      behaviour: { GetConfiguration: () => ({ configurationKey: [{ key: 'LocalAuthListMaxLength', readonly: true, value: String(cards - 1) }], unknownKey: ['SendLocalListMaxLength'] }) },
    });
    await until(async () => (await state(ids['ll-small']!)).state === 'failed');
    expect(await state(ids['ll-small']!)).toMatchObject({ maxEntries: cards - 1, lastUpdateType: 'Full', lastResult: `tooLarge: ${cards} cards, the charger takes at most ${cards - 1}` });
    expect(small.lists).toEqual([]);
  });

  it('sends the FlexiCharge charger no list', async () => {
    const { actions } = await charger('abc119', { dialect: 'flexicharge' });
    expect(await state(100009)).toMatchObject({ state: 'unsupported', chargerVersion: null });
    const sync = await t.request('POST', '/chargers/100009/local-list/sync', { token: admin });
    expect(sync.status).toBe(409);
    expect(sync.body.code).toBe('localListUnsupported');
    expect(actions.filter((action) => action.includes('LocalList'))).toEqual([]);
  });

  it('sends a Full list on request, over HTTP, to admins only', async () => {
    const user = await t.createUser();
    expect((await t.request('GET', '/local-list')).status).toBe(401);
    expect((await t.request('GET', `/chargers/${ids['ll-main']}/local-list`, { token: user.token })).status).toBe(403);
    expect((await t.request('POST', `/chargers/${ids['ll-main']}/local-list/sync`, { token: user.token })).status).toBe(403);
    expect((await t.request('GET', '/chargers/999999/local-list', { token: admin })).status).toBe(404);
    expect((await t.request('GET', '/chargers/abc/local-list', { token: admin })).status).toBe(400);
    const offline = await t.request('POST', `/chargers/${ids['ll-offline']}/local-list/sync`, { token: admin });
    expect(offline.status).toBe(409);
    expect(offline.body.code).toBe('chargerOffline');

    const lists: SentList[] = [];
    sims[0]!.on('call', (action, payload) => action === 'SendLocalList' && lists.push(payload));
    const synced = await t.request('POST', `/chargers/${ids['ll-main']}/local-list/sync`, { token: admin });
    expect(synced.status).toBe(200);
    const version = await listVersion();
    expect(synced.body).toMatchObject({ state: 'inSync', chargerVersion: version, expectedVersion: version, lastUpdateType: 'Full', lastResult: 'Accepted' });
    expect(lists.map((list) => list.updateType)).toEqual(['Full']);

    // An unsupported charger is tried again when an operator asks.
    const retried = await t.request('POST', `/chargers/${ids['ll-nolist']}/local-list/sync`, { token: admin });
    expect(retried.body).toMatchObject({ state: 'unsupported', lastResult: 'NotImplemented' });
  });
});
