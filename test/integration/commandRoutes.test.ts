import { createRPCError, RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_ACTIONS } from '../../src/domain/chargerGateway.ts';
import { COMMAND_EXAMPLES } from '../../src/http/commandExamples.ts';
import { RawCharger } from '../support/rawCharger.ts';
import { startTestSystem } from '../support/testSystem.ts';

/** The constant id the FlexiCharge charger uses for every CALL but MeterValues. */
const SAME_ID = '0jdsEnnyo2kpCP8FLfHlNpbvQXosR5ZNlh8v';
const AVT_BOOT = { chargePointVendor: 'AVT-Company', chargePointModel: 'AVT-Express', firmwareVersion: '0.9.87' };

const STRICT = 100003;
const FLEXICHARGE = 100009;
const OFFLINE = 100005;

describe('every command over HTTP: POST /chargers/{id}/commands/{action} and POST /commands/{action}', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let client: RPCClient;
  const received: Record<string, unknown[]> = {};
  const strictFailures: unknown[] = [];
  const db = () => t.system.database.db;

  beforeAll(async () => {
    t = await startTestSystem({ DEMO_CHARGER: '0' });
    admin = await t.adminToken();
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', STRICT).execute();
    client = new RPCClient({ endpoint: `${t.system.ocppUrl}/charger`, identity: 'abc113', protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as never);
    client.on('strictValidationFailure', (failure: unknown) => strictFailures.push(failure));
    for (const action of COMMAND_ACTIONS) {
      client.handle(action, async ({ params }) => {
        (received[action] ??= []).push(params);
        return COMMAND_EXAMPLES[action].answer;
      });
    }
    await client.connect();
    await client.call('BootNotification', { chargePointVendor: 'Strict', chargePointModel: 'S-1' });
  });
  afterAll(async () => {
    await client?.close({ force: true });
    await t?.close();
  });

  it('sends each command to a strict OCPP 1.6 charger, which finds every request valid; each answer comes back with its commandId', async () => {
    for (const action of COMMAND_ACTIONS) {
      const { request, answer } = COMMAND_EXAMPLES[action];
      const response = await t.request('POST', `/chargers/${STRICT}/commands/${action}`, { token: admin, body: request });
      expect(response.status, `${action}: ${response.text}`).toBe(200);
      expect(response.body, action).toEqual({ commandId: expect.any(String), status: typeof answer.status === 'string' ? answer.status : 'Answered', response: answer });
      expect(received[action]!.at(-1), action).toEqual(request);
      const history = await t.request('GET', `/commands/${response.body.commandId}`, { token: admin });
      expect(history.body, action).toMatchObject({ chargerId: STRICT, action, outcome: 'answered', subsystem: 'operator', response: answer, error: null });
    }
    expect(strictFailures).toEqual([]);
    // Our side checked every answer against the official schema: none was refused.
    const failed = await db().selectFrom('command_history').select(['action', 'outcome']).where('charger_id', '=', STRICT).where('outcome', '!=', 'answered').execute();
    expect(failed).toEqual([]);
   }, 120_000);

  it('answers 400 with the schema\'s complaint for an invalid body, and sends nothing', async () => {
    const before = received.Reset?.length ?? 0;
    const wrongType = await t.request('POST', `/chargers/${STRICT}/commands/Reset`, { token: admin, body: { type: 'Sideways' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toBe('body/type must be equal to one of the allowed values');
    const missing = await t.request('POST', `/chargers/${STRICT}/commands/RemoteStartTransaction`, { token: admin, body: { connectorId: 1 } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('body must have required property \'idTag\'');
    const extra = await t.request('POST', `/chargers/${STRICT}/commands/ClearCache`, { token: admin, body: { everything: true } });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toBe('body must NOT have additional properties');
    expect(received.Reset?.length ?? 0).toBe(before);
  });

  it('answers 404 for an unknown command or charger, 403 for a user, 409 when the charger is offline (recorded as offline)', async () => {
    expect((await t.request('POST', `/chargers/${STRICT}/commands/FlyToTheMoon`, { token: admin, body: {} })).status).toBe(404);
    const unknown = await t.request('POST', '/chargers/999999/commands/ClearCache', { token: admin, body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('notFoundError');
    const user = await t.createUser();
    expect((await t.request('POST', `/chargers/${STRICT}/commands/ClearCache`, { token: user.token, body: {} })).status).toBe(403);
    const offline = await t.request('POST', `/chargers/${OFFLINE}/commands/Reset`, { token: admin, body: { type: 'Hard' } });
    expect(offline.status).toBe(409);
    expect(offline.body).toMatchObject({ code: 'chargerOffline', message: `Charger ${OFFLINE} is not connected` });
    const history = await t.request('GET', `/chargers/${OFFLINE}/commands`, { token: admin });
    expect(history.body.commands).toEqual([expect.objectContaining({
      action: 'Reset', outcome: 'offline', request: { type: 'Hard' }, error: { code: 'chargerOffline', message: `Charger ${OFFLINE} is not connected` },
      response: null, durationMs: expect.any(Number), finishedAt: expect.any(String),
    })]);
  });

  it('answers 502 with the charger\'s CALLERROR code, recorded as callError', async () => {
    client.handle('UnlockConnector', async () => {
      throw createRPCError('NotSupported', 'no lock on this connector');
    });
    const refused = await t.request('POST', `/chargers/${STRICT}/commands/UnlockConnector`, { token: admin, body: { connectorId: 1 } });
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('NotSupported');
    const [last] = (await t.request('GET', `/chargers/${STRICT}/commands?action=UnlockConnector&limit=1`, { token: admin })).body.commands;
    expect(last).toMatchObject({ outcome: 'callError', connectorId: 1, error: { code: 'NotSupported' } });
  });

  it('shapes commands for a FlexiCharge charger: RemoteStartTransaction and ReserveNow carry its keys', async () => {
    const charger = await RawCharger.connect(`${t.system.ocppUrl}/charger/abc119`);
    charger.send([2, SAME_ID, 'BootNotification', AVT_BOOT]);
    expect((await charger.answerTo(SAME_ID))[2]).toMatchObject({ status: 'Accepted' });
    const bootData = await charger.nextCall('DataTransfer');
    charger.send([3, bootData[1], 'DataTransfer', { status: 'Accepted' }]);

    const reserving = t.request('POST', `/chargers/${FLEXICHARGE}/commands/ReserveNow`, {
      token: admin, body: { connectorId: 1, expiryDate: new Date(Date.now() + 600_000).toISOString(), idTag: '1', reservationId: 77 },
    });
    const reserveCall = await charger.nextCall('ReserveNow');
    expect(reserveCall[3]).toMatchObject({ connectorID: 1, reservationID: 77, idTag: 1 });
    charger.send([3, reserveCall[1], 'ReserveNow', { status: 'Accepted' }]);
    expect((await reserving).body).toMatchObject({ status: 'Accepted', response: { status: 'Accepted' } });

    const starting = t.request('POST', `/chargers/${FLEXICHARGE}/commands/RemoteStartTransaction`, { token: admin, body: { connectorId: 1, idTag: '1' } });
    const startCall = await charger.nextCall('RemoteStartTransaction');
    expect(startCall[3]).toMatchObject({ connectorID: 1, idTag: 1 });
    charger.send([3, startCall[1], 'RemoteStartTransaction', { status: 'Rejected' }]);
    const started = await starting;
    expect(started.body).toMatchObject({ status: 'Rejected', response: { status: 'Rejected' } });
    // The history holds the request as the operator sent it, before the dialect shaped it.
    expect((await t.request('GET', `/commands/${started.body.commandId}`, { token: admin })).body.request).toEqual({ connectorId: 1, idTag: '1' });
    await charger.close();
  });

  it('sends one command to many chargers, a result per charger, offline ones included', async () => {
    const before = received.ClearCache?.length ?? 0;
    const bulk = await t.request('POST', '/commands/ClearCache', { token: admin, body: { chargerIds: [OFFLINE, STRICT, 100006], request: {} } });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results).toEqual([
      { chargerId: STRICT, commandId: expect.any(String), status: 'Accepted', response: { status: 'Accepted' }, error: null },
      {
        chargerId: OFFLINE, commandId: expect.any(String), status: null, response: null,
        error: { code: 'chargerOffline', errorCodes: ['chargerOffline'], message: `Charger ${OFFLINE} is not connected` },
      },
      { chargerId: 100006, commandId: expect.any(String), status: null, response: null, error: expect.objectContaining({ code: 'chargerOffline' }) },
    ]);
    expect(received.ClearCache!.length).toBe(before + 1);
    for (const result of bulk.body.results) {
      const command = (await t.request('GET', `/commands/${result.commandId}`, { token: admin })).body;
      expect(command).toMatchObject({ chargerId: result.chargerId, action: 'ClearCache', subsystem: 'operator', outcome: result.error ? 'offline' : 'answered' });
    }

    // Charge point 1 holds 100000–100003: only the strict charger is connected.
    const site = await t.request('POST', '/commands/TriggerMessage', { token: admin, body: { chargePointId: 1, request: { requestedMessage: 'Heartbeat' } } });
    expect(site.status).toBe(200);
    expect(site.body.results.map((result: { chargerId: number; status: string | null }) => [result.chargerId, result.status]))
      .toEqual([[100000, null], [100001, null], [100002, null], [STRICT, 'Accepted']]);
  });

  it('refuses a bulk command naming no chargers, both kinds, unknown chargers, or an invalid request', async () => {
    const neither = await t.request('POST', '/commands/ClearCache', { token: admin, body: { request: {} } });
    expect(neither.status).toBe(400);
    expect(neither.body.code).toBe('invalidTarget');
    expect((await t.request('POST', '/commands/ClearCache', { token: admin, body: { chargerIds: [STRICT], chargePointId: 1, request: {} } })).status).toBe(400);
    const unknown = await t.request('POST', '/commands/ClearCache', { token: admin, body: { chargerIds: [STRICT, 999999], request: {} } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('Chargers not found: 999999');
    expect((await t.request('POST', '/commands/ClearCache', { token: admin, body: { chargePointId: 999, request: {} } })).status).toBe(404);
    const invalid = await t.request('POST', '/commands/Reset', { token: admin, body: { chargerIds: [STRICT], request: {} } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe('body/request must have required property \'type\'');
  });
});
