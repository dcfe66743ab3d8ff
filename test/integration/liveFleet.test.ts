import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/domain/tokens.ts';
import { SELF_TEST_NAMES } from '../../src/selftest/index.ts';
import { EventStream } from '../support/eventStream.ts';
import { AFTER_BOOT_ANSWERS, BOOT, RawCharger } from '../support/rawCharger.ts';
import { JWT_SECRET, startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const WATCHED = 100002;
const OTHER = 100003;
const serialOf = (chargerId: number) => `abc${chargerId - 100000 + 110}`;
const ID_TAG = 'LIVE-FLEET-CARD';

describe('GET /live/fleet (Server-Sent Events)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  const streams: EventStream[] = [];
  const chargers: RawCharger[] = [];
  const db = () => t.system.database.db;

  const open = async (query = '', token = admin) => {
    const stream = await EventStream.open(`${t.system.httpUrl}/live/fleet${query}`, token);
    if (!(stream instanceof EventStream)) throw new Error(`HTTP ${stream.status}: ${await stream.text()}`);
    streams.push(stream);
    return stream;
  };
  const connect = async (chargerId: number) => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/${serialOf(chargerId)}`, {
      answers: { ...AFTER_BOOT_ANSWERS, ChangeConfiguration: () => ({ status: 'Rejected' }) },
    });
    chargers.push(charger);
    return charger;
  };

  beforeAll(async () => {
    t = await startTestSystem({ OCPP_MESSAGE_LOG: '1' });
    admin = await t.adminToken();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', 'in', [WATCHED, OTHER]).execute();
    expect((await t.request('POST', '/idTags', { token: admin, body: { idTag: ID_TAG } })).status).toBe(201);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    for (const charger of chargers) await charger.close().catch(() => undefined);
    await t?.close();
  });

  it('refuses a missing token (401), a user\'s token (403) and more than 10 watched chargers or a bad list (400)', async () => {
    const user = await t.createUser();
    const anonymous = await EventStream.open(`${t.system.httpUrl}/live/fleet`);
    expect((anonymous as Response).status).toBe(401);
    expect(await (anonymous as Response).json()).toMatchObject({ status: 401, code: 'unauthorizedError' });
    expect(((await EventStream.open(`${t.system.httpUrl}/live/fleet`, user.token)) as Response).status).toBe(403);
    const eleven = Array.from({ length: 11 }, (_, i) => 100000 + i).join(',');
    const tooMany = (await EventStream.open(`${t.system.httpUrl}/live/fleet?watch=${eleven}`, admin)) as Response;
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).errorCodes).toEqual(['invalidWatch']);
    const garbled = (await EventStream.open(`${t.system.httpUrl}/live/fleet?watch=100001;drop`, admin)) as Response;
    expect(garbled.status).toBe(400);
    expect((await garbled.json()).errorCodes).toContain('invalidWatch');
  });

  it('streams presence, status, a session\'s progress and the watched charger\'s frames only', async () => {
    const stream = await open(`?watch=${WATCHED}`);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toBe('no-cache');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    expect(await stream.next('hello')).toEqual({ nodeId: t.system.cluster.nodeId });
    expect(stream.events[0]!.event).toBe('hello');

    const other = await connect(OTHER);
    expect(await stream.next('online', (event) => event.chargerId === OTHER)).toEqual({ chargerId: OTHER, nodeId: t.system.cluster.nodeId });
    const watched = await connect(WATCHED);
    await stream.next('online', (event) => event.chargerId === WATCHED);

    const boot = await watched.call('BootNotification', BOOT, 'boot-1');
    const bootIn = await stream.next('frame', (event) => event.direction === 'in' && JSON.parse(event.frame)[1] === 'boot-1');
    expect(bootIn).toEqual({ chargerId: WATCHED, direction: 'in', at: expect.any(String), frame: JSON.stringify([2, 'boot-1', 'BootNotification', BOOT]) });
    const bootOut = await stream.next('frame', (event) => event.direction === 'out' && JSON.parse(event.frame)[1] === 'boot-1');
    expect(JSON.parse(bootOut.frame)).toEqual(boot);

    const statusAt = '2026-03-04T05:06:07.000Z';
    await other.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: statusAt });
    await watched.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: statusAt }, 'status-1');
    expect(await stream.next('status', (event) => event.chargerId === OTHER)).toEqual({ chargerId: OTHER, connectorId: 1, status: 'Available', errorCode: 'NoError', at: statusAt });
    expect(await stream.next('status', (event) => event.chargerId === WATCHED)).toEqual({ chargerId: WATCHED, connectorId: 1, status: 'Preparing', errorCode: 'NoError', at: statusAt });

    const started = await watched.call('StartTransaction', { connectorId: 1, idTag: ID_TAG, meterStart: 10_000, timestamp: new Date().toISOString() });
    const sessionId = started[2].transactionId;
    expect(await stream.next('sessionStarted', (event) => event.sessionId === sessionId)).toEqual({ chargerId: WATCHED, connectorId: 1, sessionId });
    const sampledAt = new Date().toISOString();
    await watched.call('MeterValues', {
      connectorId: 1, transactionId: sessionId,
      meterValue: [{ timestamp: sampledAt, sampledValue: [
        { value: '10500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
        { value: '55', measurand: 'SoC', unit: 'Percent' },
      ] }],
    });
    // A card without a user: the per-user live sockets never hear it; the operators do.
    expect(await stream.next('meterValues', (event) => event.sessionId === sessionId)).toEqual({
      chargerId: WATCHED, connectorId: 1, sessionId, energyWh: 500, powerW: 7400, socPercent: 55, at: sampledAt,
    });
    await watched.call('StopTransaction', { transactionId: sessionId, meterStop: 11_000, timestamp: new Date().toISOString(), reason: 'Local' });
    expect(await stream.next('sessionStopped', (event) => event.sessionId === sessionId)).toEqual({ chargerId: WATCHED, sessionId });

    // The last frame of the watched charger came after every frame of the other: none of those arrived.
    await watched.call('Heartbeat', {}, 'heartbeat-last');
    await stream.next('frame', (event) => event.direction === 'out' && JSON.parse(event.frame)[1] === 'heartbeat-last');
    expect(stream.all('frame').every((event) => event.chargerId === WATCHED)).toBe(true);
    expect(stream.all('frame').some((event) => JSON.parse(event.frame)[1] === 'status-1')).toBe(true);

    await other.close();
    expect(await stream.next('offline', (event) => event.chargerId === OTHER)).toEqual({ chargerId: OTHER });
  });

  it('shows an outbound charger password as the message log stores it', async () => {
    const stream = await open(`?watch=${WATCHED}`);
    await stream.next('hello');
    const watched = chargers.find((charger) => charger.socket.url.endsWith(serialOf(WATCHED)))!;
    const rotated = await t.request('POST', `/chargers/${WATCHED}/password/rotate`, { token: admin });
    expect(rotated.status, rotated.text).toBe(200);
    const sent = await watched.nextCall('ChangeConfiguration');
    const password = sent[3].value as string;
    expect(password.length).toBeGreaterThan(10);
    const frame = await stream.next('frame', (event) => event.direction === 'out' && JSON.parse(event.frame)[2] === 'ChangeConfiguration');
    expect(frame.frame).not.toContain(password);
    expect(JSON.parse(frame.frame)[3].key).toBe('AuthorizationKey');
    // The message log (OCPP_MESSAGE_LOG=1) still stores every frame, without the password too.
    await until(async () => (await db().selectFrom('ocpp_messages').select('frame').where('charger_id', '=', WATCHED).where('frame', 'like', '%ChangeConfiguration%').execute()).length > 0);
    const logged = await db().selectFrom('ocpp_messages').select('frame').where('charger_id', '=', WATCHED).where('frame', 'like', '%ChangeConfiguration%').executeTakeFirstOrThrow();
    expect(logged.frame).toBe(frame.frame);
    stream.close();
  });

  it('stops publishing a charger\'s frames once no stream watches it, and shows it offline when it goes', async () => {
    for (const stream of streams) stream.close();
    const published: unknown[] = [];
    const stopListening = t.system.bus.subscribe('ocppFrame', (event) => published.push(event), String(WATCHED));
    const watched = chargers.find((charger) => charger.socket.url.endsWith(serialOf(WATCHED)))!;
    // Closed streams are let go as soon as the server notices the client went: its frames then cost nothing.
    await until(async () => {
      const before = published.length;
      await watched.call('Heartbeat', {});
      return published.length === before;
    });
    stopListening();

    const stream = await open();
    await stream.next('hello');
    await watched.close();
    expect(await stream.next('offline', (event) => event.chargerId === WATCHED)).toEqual({ chargerId: WATCHED });
  });

  it('relays the progress of a self-test, one event per finished test', async () => {
    const stream = await open();
    await stream.next('hello');
    const result = await t.request('GET', '/tests/ocpp', { token: admin });
    expect(result.status).toBe(200);
    const progress = [];
    for (let done = 1; done <= SELF_TEST_NAMES.length; done++) progress.push(await stream.next('selfTest', (event) => event.done === done));
    expect(progress.map((event) => event.total)).toEqual(SELF_TEST_NAMES.map(() => SELF_TEST_NAMES.length));
    expect(new Set(progress.map((event) => event.test))).toEqual(new Set(SELF_TEST_NAMES));
    expect(progress.filter((event) => event.passed).map((event) => event.test).sort()).toEqual([...result.body.successfulTests].sort());
  }, 120_000);

  it('tells when a site\'s load balancer ran', async () => {
    const stream = await open();
    await stream.next('hello');
    const at = new Date();
    t.system.bus.publish('siteBalanced', { chargePointId: 3, nodeId: t.system.cluster.nodeId, at, changed: 2 });
    expect(await stream.next('balanced')).toEqual({ chargePointId: 3, at: at.toISOString() });
  });

  it('ends the stream when its access token expires', async () => {
    const claims = await t.system.tokens.verify(admin);
    const shortLived = await new AccessTokens(JWT_SECRET, 2).issue(claims);
    const stream = await open('', shortLived);
    await stream.next('hello');
    await Promise.race([stream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream outlived its token')), 10_000))]);
  });
});
