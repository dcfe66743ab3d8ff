import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setConnected } from '../../src/domain/chargerPresence.ts';
import { releaseJobLease, takeJobLease } from '../../src/domain/jobLeases.ts';
import { endNodeLease, liveNodes, releaseLapsedNodes, renewNodeLease } from '../../src/domain/nodeLeases.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

/** The rows several nodes decide with: node leases, job leases and who shows a charger online. */
describe('node and job leases in the database', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  const db = () => t.system.database.db;
  const charger = (id: number) => db().selectFrom('chargers').select(['online', 'node_id', 'status']).where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t?.close());

  it('gives a job lease to one node at a time, to its holder again, and to another once it lapses or is given back', async () => {
    const taken = await Promise.all(['n1', 'n2', 'n3'].map((node) => takeJobLease(db(), 'test-job', node, 60_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    const holder = ['n1', 'n2', 'n3'][taken.indexOf(true)]!;
    const other = holder === 'n1' ? 'n2' : 'n1';
    expect(await takeJobLease(db(), 'test-job', holder, 60_000)).toBe(true);
    expect(await takeJobLease(db(), 'test-job', other, 60_000)).toBe(false);
    await releaseJobLease(db(), 'test-job', holder);
    expect(await takeJobLease(db(), 'test-job', other, 1)).toBe(true);
    await until(async () => takeJobLease(db(), 'test-job', holder, 60_000));
  });

  it('shows the chargers of a node whose lease lapsed offline, and leaves a live node\'s alone', async () => {
    await renewNodeLease(db(), 'alive', 60_000);
    await renewNodeLease(db(), 'dying', 1);
    const now = new Date();
    await setConnected(db(), 'alive', [{ chargerId: 100001, online: true, at: now }]);
    await setConnected(db(), 'dying', [{ chargerId: 100002, online: true, at: now }]);
    expect(await charger(100002)).toMatchObject({ online: true, node_id: 'dying' });
    await until(async () => (await releaseLapsedNodes(db())).includes(100002) || !(await charger(100002)).online);
    expect(await charger(100002)).toMatchObject({ online: false, node_id: null, status: 'Unavailable' });
    expect(await charger(100001)).toMatchObject({ online: true, node_id: 'alive' });
    expect((await liveNodes(db())).map((node) => node.nodeId)).toContain('alive');
    expect((await liveNodes(db())).map((node) => node.nodeId)).not.toContain('dying');
    await endNodeLease(db(), 'alive');
    expect(await charger(100001)).toMatchObject({ online: false, node_id: null });
  });

  it('never lets a node\'s late news undo a newer change, nor a node take offline a charger another node holds', async () => {
    const t0 = new Date(Date.now() - 3000);
    const t1 = new Date(Date.now() - 2000);
    const t2 = new Date(Date.now() - 1000);
    // The charger left node A for node B; B's news is stored first.
    await setConnected(db(), 'B', [{ chargerId: 100003, online: true, at: t1 }]);
    await setConnected(db(), 'A', [{ chargerId: 100003, online: true, at: t0 }]);
    expect(await charger(100003)).toMatchObject({ online: true, node_id: 'B' });
    // A lets its stale socket go after B took the charger.
    await setConnected(db(), 'A', [{ chargerId: 100003, online: false, at: t2 }]);
    expect(await charger(100003)).toMatchObject({ online: true, node_id: 'B' });
    await setConnected(db(), 'B', [{ chargerId: 100003, online: false, at: new Date() }]);
    expect(await charger(100003)).toMatchObject({ online: false, node_id: null });
  });
});
