import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseSiteRun, connectSite, runSite, seededRandom, setUpSite, type RunSession, type SiteCharger, type SiteSetup } from '../../src/sim/index.ts';
import { TestCluster, type ClusterNode } from '../support/cluster.ts';
import { peakSessions, PROOF_CHARGER, PROOF_RULES, PROOF_RUN, PROOF_SITE, SETTLE_MS, summary, violationsText } from '../support/loadBalancingProof.ts';
import { NatsServer } from '../support/natsServer.ts';
import { killServersLeftRunning } from '../support/serverProcess.ts';

const RUN_MS = 90_000;
const KILL_AFTER_MS = 40_000;
const SEED = 61;
const LEASE_TTL_S = 2;
/**
 * BALANCING_INTERVAL: the site's job lease lasts three intervals, and the surviving node takes
 * the site over at its first tick after that; 1 s keeps the handover within this run's reach.
 */
const BALANCING_INTERVAL_S = 1;
const HANDOVER_MS = 4 * BALANCING_INTERVAL_S * 1000;
/** How long the killed node's chargers may take to be back, connected to the other node: its own bound, reported. */
const RECONNECT_BOUND_MS = 10_000;

/**
 * The proof of loadBalancingProof.test.ts on two nodes, half the chargers on each, and the
 * node that balances the site (the holder of its job lease, else node a) killed with
 * SIGKILL mid-run. Its chargers notice their socket closed and connect to the other node
 * (without a new boot; their cars charge on meanwhile under the profiles they hold). From the
 * kill until the last of them is back, plus the node lease's time to lapse and B, the
 * balancer is not held to the rules; everywhere else it is, as on one node.
 */
describe('load balancing on two nodes, one killed mid-run', { timeout: RUN_MS + 180_000 }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  let setup: SiteSetup;
  let chargers: SiteCharger[] = [];
  /** The node each charger was connected to first. */
  const homes: ClusterNode[] = [];
  let killed: ClusterNode | undefined;
  /** Set before the simulators close at the end, so that they stay closed. */
  let finished = false;

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({ natsUrl: nats.url, nodes: ['a', 'b'], leaseTtlSeconds: LEASE_TTL_S, env: { BALANCING_INTERVAL: String(BALANCING_INTERVAL_S) } });
    const [a, b] = [cluster.node('a'), cluster.node('b')];
    setup = await setUpSite({ api: a.api, token: await cluster.adminToken(), name: 'Load balancing proof, two nodes', prefix: 'lbcluster', ...PROOF_SITE });
    setup.chargers.forEach((_, i) => homes.push(i < setup.chargers.length / 2 ? a : b));
    const home = new Map(setup.chargers.map((charger, i) => [charger.serial, homes[i]!]));
    chargers = await connectSite(setup, (serial) => home.get(serial)!.chargerUrl(serial), PROOF_CHARGER);
    chargers.forEach(({ simulator }, i) => {
      const { serial } = setup.chargers[i]!;
      // A charger whose node died comes back on the other one; tried again (bounded) until it is.
      let reconnecting = false;
      simulator.on('close', () => {
        if (finished || reconnecting) return;
        reconnecting = true;
        const node = homes[i] === killed ? [a, b].find((n) => n !== killed)! : homes[i]!;
        void (async () => {
          for (let attempt = 0; attempt < 50 && !simulator.connected && !finished; attempt++) {
            await simulator.reconnect(node.chargerUrl(serial)).catch(() => new Promise((resolve) => setTimeout(resolve, 200)));
          }
          reconnecting = false;
        })();
      });
    });
  });
  afterAll(async () => {
    finished = true;
    await Promise.all(chargers.map(({ simulator }) => simulator.close()));
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  /** The node holding the site's balancing lease now, if one does. */
  async function balancingNode(): Promise<ClusterNode | undefined> {
    const lease = await cluster.db.selectFrom('job_leases').select('node_id').where('name', '=', `balance:${setup.chargePointId}`).executeTakeFirst();
    return lease ? cluster.nodes.get(lease.node_id) : undefined;
  }

  it('keeps the site within its limit, gives every session at least 6 A and starves none, before and after the kill', async () => {
    let killedAt = 0;
    let killedWhich = '';
    const kill = (async () => {
      await new Promise((resolve) => setTimeout(resolve, KILL_AFTER_MS));
      const holder = await balancingNode();
      killed = holder ?? cluster.node('a');
      killedWhich = holder ? `node ${killed.id}, which held the balancing lease` : `node ${killed.id} (no node held the balancing lease)`;
      killedAt = Date.now();
      await killed.kill();
    })();
    const run = await runSite({ chargers, durationMs: RUN_MS, random: seededRandom(SEED), rules: PROOF_RULES, ...PROOF_RUN });
    await kill;

    const moved = homes.map((home, i) => (home === killed ? i : -1)).filter((i) => i >= 0);
    const gaps = run.offline.filter((gap) => gap.from >= killedAt);
    const reconnectMs = Math.max(0, ...gaps.map((gap) => gap.to - killedAt));
    // Until the other node has the site's lease and its chargers back, and then B for its limits to arrive.
    const outage = { from: killedAt, to: killedAt + Math.max(reconnectMs, HANDOVER_MS) + SETTLE_MS, why: `${killedWhich} killed` };
    const report = analyseSiteRun(run.samples, run.sessions, run.endedAt, { ...PROOF_RULES, excused: [outage] });
    const overAfterKill = run.samples.filter((s) => s.at >= killedAt && s.at <= outage.to && s.powerW.reduce((sum, w) => sum + w, 0) > PROOF_RULES.limitW + PROOF_RULES.toleranceW);
    const lastOverMs = overAfterKill.length ? overAfterKill.at(-1)!.at + PROOF_RUN.sampleIntervalMs - killedAt : 0;
    console.log([
      summary(run, report),
      `killed ${killedWhich} at +${((killedAt - run.startedAt) / 1000).toFixed(1)} s; its ${moved.length} chargers were back on the other node after ${(reconnectMs / 1000).toFixed(1)} s (bound ${RECONNECT_BOUND_MS / 1000} s); `
        + `${run.sessions.filter((session) => session.error).length} session starts or stops failed as it died; `
        + `excused ${((outage.to - outage.from) / 1000).toFixed(1)} s (handover bound ${HANDOVER_MS / 1000} s + B); in that time over the limit for ${((overAfterKill.length * PROOF_RUN.sampleIntervalMs) / 1000).toFixed(1)} s, the last ${(lastOverMs / 1000).toFixed(1)} s after the kill`,
    ].join('\n'));

    expect(killed, 'a node was killed').toBeDefined();
    // Every charger of the killed node lost its connection and found the other node.
    expect(new Set(gaps.map((gap) => gap.charger))).toEqual(new Set(moved));
    expect(reconnectMs).toBeLessThanOrEqual(RECONNECT_BOUND_MS);
    expect(chargers.every(({ simulator }) => simulator.connected)).toBe(true);
    // A start or stop whose messages were in flight to the node as it died fails (the simulator keeps no queue to send again, as a
    // real charger would); any other failure is one.
    const lostAtKill = (session: RunSession) => session.end >= killedAt - 1000 && session.start <= killedAt + reconnectMs + 1000;
    expect(run.sessions.filter((session) => session.error && !lostAtKill(session))).toEqual([]);
    expect(peakSessions(run.sessions)).toBeGreaterThanOrEqual(6);
    expect(report.violations, violationsText(run, report)).toEqual([]);
  });
});
