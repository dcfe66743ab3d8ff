import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargerSimulator } from '../../src/sim/index.ts';
import { startTestSystem } from '../support/testSystem.ts';
import { until } from '../support/until.ts';

const TRIGGERABLE = ['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'] as const;

describe('TriggerMessage over HTTP: each message type reaches the charger, and what it sends reaches the server', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  let admin: string;
  let sim: ChargerSimulator;
  const db = () => t.system.database.db;

  beforeAll(async () => {
    // The message log shows every frame the server received.
    t = await startTestSystem({ OCPP_MESSAGE_LOG: '1' });
    await db().updateTable('chargers').set({ dialect: 'ocpp1.6' }).where('id', '=', 100005).execute();
    admin = await t.adminToken();
    sim = new ChargerSimulator({ url: `${t.system.ocppUrl}/charger/abc115`, connectors: 2 });
    await sim.connect();
    await sim.boot();
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  /** The charger→server CALLs of `action` the server has received (and logged) so far. */
  async function received(action: string): Promise<unknown[][]> {
    const rows = await db().selectFrom('ocpp_messages').select('frame').where('charger_id', '=', 100005).where('direction', '=', 'in').execute();
    return rows.map((row) => JSON.parse(row.frame) as unknown[]).filter((frame) => frame[0] === 2 && frame[2] === action);
  }

  const trigger = (body: object) => t.request('POST', '/chargers/100005/commands/TriggerMessage', { token: admin, body });

  for (const requestedMessage of TRIGGERABLE) {
    it(`${requestedMessage}: Accepted, and the charger sends it`, async () => {
      const before = (await received(requestedMessage)).length;
      const answer = await trigger({ requestedMessage, connectorId: 2 });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'Accepted', response: { status: 'Accepted' } });
      await until(async () => (await received(requestedMessage)).length > before);
      const frame = (await received(requestedMessage)).at(-1)!;
      if (requestedMessage === 'MeterValues' || requestedMessage === 'StatusNotification') expect(frame[3]).toMatchObject({ connectorId: 2 });
      if (requestedMessage === 'MeterValues') expect(JSON.stringify(frame[3])).toContain('"context":"Trigger"');
    });
  }

  it('the triggered status notifications are kept where operators see them', async () => {
    await db().updateTable('chargers').set({ firmware_status: null, diagnostics_status: null }).where('id', '=', 100005).execute();
    await trigger({ requestedMessage: 'FirmwareStatusNotification' });
    await trigger({ requestedMessage: 'DiagnosticsStatusNotification' });
    await until(async () => {
      const row = await db().selectFrom('chargers').select(['firmware_status', 'diagnostics_status']).where('id', '=', 100005).executeTakeFirstOrThrow();
      return row.firmware_status === 'Idle' && row.diagnostics_status === 'Idle';
    });
    const connector = () => db().selectFrom('connectors').select('received_at').where('charger_id', '=', 100005).where('connector_id', '=', 1).executeTakeFirst();
    const earlier = (await connector())?.received_at?.getTime() ?? 0;
    await trigger({ requestedMessage: 'StatusNotification', connectorId: 1 });
    await until(async () => ((await connector())?.received_at?.getTime() ?? 0) > earlier);
  });

  it('Rejected for a connector the charger does not have; 400 for a message type OCPP does not define', async () => {
    expect((await trigger({ requestedMessage: 'StatusNotification', connectorId: 7 })).body).toMatchObject({ status: 'Rejected', response: { status: 'Rejected' } });
    const invalid = await trigger({ requestedMessage: 'SignChargePointCertificate' });
    expect(invalid.status).toBe(400);
  });
});
