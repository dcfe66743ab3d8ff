import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';

/** Site 4 (Coop, Forserum) and two of its chargers, simulated as standard OCPP 1.6 chargers. */
const SITE = 4;
const CHARGERS = [
  { id: 100007, serial: 'abc117', powerW: 7360, tag: 'LOADTAG1' },
  { id: 100008, serial: 'abc118', powerW: 11_040, tag: 'LOADTAG2' },
];
const STEP_MS = 10_000;

interface Simulated {
  id: number;
  sim: ChargerSimulator;
  /** The MeterValues payloads it sent. */
  sent: any[];
  /** The message ids of those it sent, and of those the server answered (once stored). */
  sentIds: unknown[];
  answeredIds: Set<unknown>;
  sessionId: number;
  transactionId: number;
}

/** Each reading of Power.Active.Import in what a charger sent: [time (ms), watts], oldest first. */
function powerReadings(sent: any[]): [number, number][] {
  return sent.flatMap((payload) => payload.meterValue.flatMap((value: any) => value.sampledValue
    .filter((sample: any) => sample.measurand === 'Power.Active.Import' && !sample.phase)
    .map((sample: any) => [Date.parse(value.timestamp), Number(sample.value)] as [number, number])))
    .sort((a: [number, number], b: [number, number]) => a[0] - b[0]);
}

/**
 * The site's load per step as the route is to give it, worked out here from what the chargers
 * sent: each running session's mean in the step, or the last reading before it.
 */
function loadPerStep(sessions: { startedAt: number; readings: [number, number][] }[], from: number, to: number) {
  const points: { at: string; loadW: number }[] = [];
  for (let at = from; at < to; at += STEP_MS) {
    let loadW = 0;
    for (const { startedAt, readings } of sessions) {
      if (startedAt >= at + STEP_MS) continue;
      const inStep = readings.filter(([time]) => time >= at && time < at + STEP_MS).map(([, watts]) => watts);
      if (inStep.length > 0) loadW += inStep.reduce((sum, watts) => sum + watts, 0) / inStep.length;
      else loadW += readings.filter(([time]) => time < at).at(-1)?.[1] ?? 0;
    }
    points.push({ at: new Date(at).toISOString(), loadW });
  }
  return points;
}

type System = Awaited<ReturnType<typeof startTestSystem>>;

/**
 * `ask()`, again until what its answer depends on (`witness()`) held still while it was
 * answered and is `ready`: the load balancer changes allocations, and has the chargers report
 * readings, at times of its own.
 */
async function steady<A, W>(ask: () => Promise<A>, witness: () => Promise<W>, ready: (seen: W) => boolean = () => true): Promise<{ answer: A; seen: W }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const before = JSON.stringify(await witness());
    const answer = await ask();
    const seen = await witness();
    if (ready(seen) && JSON.stringify(seen) === before) return { answer, seen };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('what the answer depends on kept changing');
}

/** What the site's load shows beside the sessions: its allocations and its chargers' settings. */
async function siteRows(t: System, site: number) {
  const db = t.system.database.db;
  return {
    allocations: await db.selectFrom('connector_allocations').selectAll().where('charge_point_id', '=', site).orderBy('charger_id').orderBy('connector_id').execute(),
    chargers: await db.selectFrom('chargers').select(['id', 'balancing_priority', 'balancing_profile', 'smart_charging', 'max_current_a']).where('charge_point_id', '=', site).orderBy('id').execute(),
  };
}

describe('a site\'s load against its limit', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const simulated: Simulated[] = [];
  const db = () => t.system.database.db;
  const get = (path: string) => t.request('GET', path, { token: admin });
  /** What the chargers reported so far, and whether the server has stored it all. */
  const readings = async () => simulated.map((charger) => ({ sent: charger.sentIds.length, stored: charger.sentIds.every((id) => charger.answeredIds.has(id)) }));
  const allStored = (seen: { stored: boolean }[]) => seen.every((charger) => charger.stored);
  /** `path` answered while nothing new was reported and everything reported was stored. */
  const afterReadings = (path: string) => steady(() => get(path), readings, allStored).then(({ answer }) => answer);

  beforeAll(async () => {
    // Every reading updates the session's stored power, so the snapshot shows the latest.
    t = await startTestSystem({ LIVEMETRICS_DB_UPDATE_INTERVAL: '0' });
    admin = await t.adminToken();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', CHARGERS.map((c) => c.id)).execute();
    await db().insertInto('id_tags').values(CHARGERS.map((c) => ({ id_tag: c.tag }))).execute();
    for (const charger of CHARGERS) {
      const sent: any[] = [];
      const sentIds: unknown[] = [];
      const answeredIds = new Set<unknown>();
      const sim = new ChargerSimulator({
        url: `${t.system.ocppUrl}/charger/${charger.serial}`, powerW: charger.powerW, meterValueIntervalMs: 0,
        onFrame: (direction, text) => {
          const frame = JSON.parse(text);
          if (direction === 'out' && frame[0] === 2 && frame[2] === 'MeterValues') {
            sent.push(frame[3]);
            sentIds.push(frame[1]);
          }
          if (direction === 'in' && frame[0] === 3) answeredIds.add(frame[1]);
        },
      });
      await sim.connect();
      await sim.boot();
      await sim.statusNotification(1, 'Available');
      simulated.push({ id: charger.id, sim, sent, sentIds, answeredIds, sessionId: 0, transactionId: 0 });
    }
  });
  afterAll(async () => {
    await Promise.allSettled(simulated.map(({ sim }) => sim.close()));
    await t?.close();
  });

  it('shows each running session with the power its charger reported, summed against the site\'s limit', async () => {
    const capacity = await t.request('PUT', `/chargePoints/${SITE}/capacity`, { token: admin, body: { maxCurrentA: 40, reserveCurrentA: 8, maxPowerW: 20_000 } });
    expect(capacity.status, capacity.text).toBe(200);
    expect((await t.request('PUT', '/chargers/100008/supply', { token: admin, body: { phaseConnection: 'L2', priority: 3 } })).status).toBe(200);

    for (const charger of simulated) {
      const { idTagInfo, transactionId } = await charger.sim.startLocalSession(1, CHARGERS.find((c) => c.id === charger.id)!.tag);
      expect(idTagInfo.status).toBe('Accepted');
      charger.transactionId = transactionId;
      charger.sessionId = (await db().selectFrom('charging_sessions').select('id').where('charger_id', '=', charger.id).where('status', '=', 'Charging').executeTakeFirstOrThrow()).id;
      await charger.sim.sendMeterValues(1);
      await charger.sim.sendMeterValues(1);
    }

    const { answer: load, seen: { rows: { allocations, chargers } } } = await steady(
      () => get(`/chargePoints/${SITE}/load`), async () => ({ rows: await siteRows(t, SITE), readings: await readings() }), (seen) => allStored(seen.readings),
    );
    expect(load.status, load.text).toBe(200);
    const lastPower = (charger: Simulated) => powerReadings(charger.sent).at(-1)![1];
    const chargerOf = (charger: Simulated) => chargers.find((row) => row.id === charger.id)!;
    const allocationOf = (charger: Simulated) => allocations.find((row) => row.charger_id === charger.id && row.session_id === charger.sessionId);
    const { maxCurrentA, reserveCurrentA, maxPowerW } = capacity.body;
    expect(load.body).toMatchObject({
      chargePointID: SITE,
      phases: 3,
      availableCurrentA: maxCurrentA - reserveCurrentA,
      // The reserve is kept for other loads from both limits.
      limitW: Math.min(maxPowerW - reserveCurrentA * 3 * 230, (maxCurrentA - reserveCurrentA) * 3 * 230),
      loadW: simulated.reduce((sum, charger) => sum + lastPower(charger), 0),
      balancedAt: allocations.length ? new Date(Math.max(...allocations.map((row) => row.computed_at.getTime()))).toISOString() : null,
    });
    expect(load.body.connectors).toEqual(simulated.map((charger, index) => ({
      chargerID: charger.id,
      connectorID: 1,
      serialNumber: CHARGERS[index]!.serial,
      sessionID: charger.sessionId,
      priority: chargerOf(charger).balancing_priority,
      smartCharging: chargerOf(charger).smart_charging,
      profilePurpose: chargerOf(charger).balancing_profile,
      maxCurrentA: chargerOf(charger).max_current_a,
      allocatedCurrentA: allocationOf(charger)?.current_a ?? null,
      inForceCurrentA: allocationOf(charger)?.in_force_a ?? null,
      status: allocationOf(charger)?.status ?? null,
      limitedBy: allocationOf(charger)?.limited_by ?? null,
      powerW: lastPower(charger),
      online: true,
    })));
    expect(load.body.connectors[1].priority).toBe(3);
    // The fleet view shows each site's limit, so the dashboard knows which sites to show against theirs.
    const fleetSites = (await get('/fleet')).body.chargePoints;
    expect(fleetSites.find((site: { id: number }) => site.id === SITE).limitW).toBe(load.body.limitW);
    expect(fleetSites.find((site: { id: number }) => site.id === 3).limitW).toBeNull();
    // 100007 is on all three phases, 100008 on L2 only.
    const [threePhase, onL2] = simulated.map((charger) => allocationOf(charger)?.current_a ?? 0) as [number, number];
    expect(load.body.allocatedCurrentA).toEqual({ L1: threePhase, L2: threePhase + onL2, L3: threePhase });
  });

  it('gives the load over time: each session\'s mean power per step, its last reading carried over steps without one', async () => {
    // The sessions began a few minutes ago, and their chargers send the readings they took since.
    const start = Math.floor((Date.now() - 300_000) / STEP_MS) * STEP_MS;
    const [a, b] = simulated as [Simulated, Simulated];
    const plan = [
      { charger: a, startedAt: start + 2_000, readings: [[3_000, 7_000], [6_000, 7_400], [25_000, 5_000]] },
      { charger: b, startedAt: start + 12_000, readings: [[14_000, 11_000], [33_000, 3_000], [38_000, 4_000]] },
    ];
    for (const { charger, startedAt, readings } of plan) {
      await db().updateTable('charging_sessions').set({ started_at: new Date(startedAt) }).where('id', '=', charger.sessionId).execute();
      for (const [offset, watts] of readings) {
        await charger.sim.call('MeterValues', {
          connectorId: 1, transactionId: charger.transactionId,
          meterValue: [{ timestamp: new Date(start + offset!).toISOString(), sampledValue: [{ value: String(watts), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' }] }],
        });
      }
    }
    const sessions = plan.map(({ charger, startedAt }) => ({ startedAt, readings: powerReadings(charger.sent) }));

    const from = start;
    const to = start + 60_000;
    const history = await afterReadings(`/chargePoints/${SITE}/load/history?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
    expect(history.status, history.text).toBe(200);
    const limitW = (await get(`/chargePoints/${SITE}/load`)).body.limitW;
    expect(history.body).toEqual({
      chargePointID: SITE, from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepSeconds: STEP_MS / 1000, limitW, points: loadPerStep(sessions, from, to),
    });

    // A range that starts between readings: the readings before it still count, and it starts on a whole step.
    const later = await afterReadings(`/chargePoints/${SITE}/load/history?from=${new Date(from + 26_000).toISOString()}&to=${new Date(to).toISOString()}`);
    expect(later.body.from).toBe(new Date(from + 20_000).toISOString());
    expect(later.body.points).toEqual(loadPerStep(sessions, from + 20_000, to));

    // By default the last hour, up to the chargers' latest readings (those the balancer had them send too).
    const lastHour = await afterReadings(`/chargePoints/${SITE}/load/history`);
    expect(lastHour.status).toBe(200);
    expect(lastHour.body.stepSeconds).toBe(STEP_MS / 1000);
    expect(lastHour.body.points.length).toBeLessThanOrEqual(361);
    const now = plan.map(({ charger, startedAt }) => ({ startedAt, readings: powerReadings(charger.sent) }));
    expect(lastHour.body.points).toEqual(loadPerStep(now, Date.parse(lastHour.body.from), Date.parse(lastHour.body.to)));
    expect(lastHour.body.points.some((point: { loadW: number }) => point.loadW === 0)).toBe(true);

    // A week is shown in steps long enough for a chart.
    const week = await get(`/chargePoints/${SITE}/load/history?from=${new Date(Date.now() - 7 * 86_400_000 + 60_000).toISOString()}`);
    expect(week.status, week.text).toBe(200);
    expect(week.body.stepSeconds * 1000 * week.body.points.length).toBeGreaterThanOrEqual(Date.parse(week.body.to) - Date.parse(week.body.from));
    expect(week.body.points.length).toBeLessThanOrEqual(361);
  });

  it('shows a session that stopped no more', async () => {
    const [a, b] = simulated as [Simulated, Simulated];
    await b.sim.stopSession(1);
    const load = await afterReadings(`/chargePoints/${SITE}/load`);
    expect(load.body.connectors.map((connector: { sessionID: number }) => connector.sessionID)).toEqual([a.sessionId]);
    expect(load.body.loadW).toBe(powerReadings(a.sent).at(-1)![1]);
  });

  it('answers an unknown site with 404, a bad id or range with 400, and admins only', async () => {
    expect((await get('/chargePoints/999/load')).status).toBe(404);
    expect((await get('/chargePoints/999/load/history')).status).toBe(404);
    expect((await get('/chargePoints/first/load')).status).toBe(400);
    expect((await get('/chargePoints/first/load/history')).status).toBe(400);
    const now = Date.now();
    for (const query of [
      'from=yesterday',
      `from=${new Date(now).toISOString()}&to=${new Date(now - 60_000).toISOString()}`,
      `from=${new Date(now - 8 * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}`,
    ]) {
      const answer = await get(`/chargePoints/${SITE}/load/history?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.errorCodes, query).toContain('invalidRange');
    }
    const user = await t.createUser();
    expect((await t.request('GET', `/chargePoints/${SITE}/load`, { token: user.token })).status).toBe(403);
    expect((await t.request('GET', `/chargePoints/${SITE}/load/history`)).status).toBe(401);
  });
});

describe('the balancer\'s limits of a site\'s running connectors', () => {
  let t: System;
  let admin: string;
  const sims: ChargerSimulator[] = [];
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await Promise.allSettled(sims.map((sim) => sim.close()));
    await t?.close();
  });

  it('are summed per site phase: a three-phase charger on all three, a single-phase one on its phase; all on L1 on a single-phase site', async () => {
    const site = 1;
    const chargers = [
      { id: 100001, serial: 'abc111', tag: 'PHASETAG1', maxCurrentA: 10, phaseConnection: 'L2L3L1' as const },
      { id: 100002, serial: 'abc112', tag: 'PHASETAG2', maxCurrentA: 16, phaseConnection: 'L3' as const },
    ];
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', chargers.map((c) => c.id)).execute();
    await db().insertInto('id_tags').values(chargers.map((c) => ({ id_tag: c.tag }))).execute();
    // Room for both: each is given its charger's maximum.
    expect((await t.request('PUT', `/chargePoints/${site}/capacity`, { token: admin, body: { maxCurrentA: 100 } })).status).toBe(200);
    for (const charger of chargers) {
      expect((await t.request('PUT', `/chargers/${charger.id}/supply`, { token: admin, body: { maxCurrentA: charger.maxCurrentA, phaseConnection: charger.phaseConnection } })).status).toBe(200);
      const sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/${charger.serial}`, meterValueIntervalMs: 0 });
      sims.push(sim);
      await sim.connect();
      await sim.boot();
      await sim.startLocalSession(1, charger.tag);
    }

    /** What each running session was given, on the phases its charger is wired to. */
    const expectedPerPhase = (allocations: { charger_id: number; current_a: number }[], sitePhases: 1 | 3) => {
      const sums = { L1: 0, L2: 0, L3: 0 };
      for (const row of allocations) {
        const wiring = chargers.find((c) => c.id === row.charger_id)!.phaseConnection;
        const phases = sitePhases === 1 ? ['L1'] : wiring.length === 2 ? [wiring] : ['L1', 'L2', 'L3'];
        for (const phase of phases) sums[phase as keyof typeof sums] += row.current_a;
      }
      return sums;
    };
    // Once the balancer has given both sessions their limits.
    const steadyLoad = async () => {
      const { answer: load, seen } = await steady(
        () => t.request('GET', `/chargePoints/${site}/load`, { token: admin }), () => siteRows(t, site), (rows) => rows.allocations.length === chargers.length,
      );
      return { load, allocations: seen.allocations };
    };
    const three = await steadyLoad();
    expect(three.load.status, three.load.text).toBe(200);
    expect(three.load.body).toMatchObject({ availableCurrentA: 100, limitW: 100 * 3 * 230, phases: 3 });
    expect(three.load.body.connectors.map((c: any) => [c.chargerID, c.allocatedCurrentA, c.inForceCurrentA, c.status, c.limitedBy])).toEqual(chargers.map((charger) => {
      const row = three.allocations.find((a) => a.charger_id === charger.id);
      return [charger.id, row?.current_a ?? null, row?.in_force_a ?? null, row?.status ?? null, row?.limited_by ?? null];
    }));
    expect(three.load.body.allocatedCurrentA).toEqual(expectedPerPhase(three.allocations, 3));

    expect((await t.request('PUT', `/chargePoints/${site}/capacity`, { token: admin, body: { phases: 1 } })).status).toBe(200);
    const one = await steadyLoad();
    expect(one.load.body.allocatedCurrentA).toEqual(expectedPerPhase(one.allocations, 1));
  });
});
