import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem } from '../support/testSystem.ts';

describe('the demo charger (DEMO_CHARGER=1)', () => {
  let t: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => { t = await startTestSystem({ DEMO_CHARGER: '1' }); });
  afterAll(() => t?.close());

  it("runs the apps' demo flow on connector 100000 as a real session", async () => {
    expect(await t.system.gateway.isConnected(100000)).toBe(true);
    const charger = (await t.request('GET', '/chargers/100000')).body;
    expect(charger).toMatchObject({ serialNumber: 'testchargeralwaysconnected', online: true, status: 'Available' });
    const { token } = await t.createUser();

    const created = await t.request('POST', '/transaction', { token, body: { connectorID: 100000, paymentType: 'klarna' } });
    expect(created.status).toBe(201);
    const id = created.body.transactionID;
    expect((await t.request('PUT', `/transaction/start/${id}`, { token })).body.status).toBe('Charging');
    for (let i = 0; i < 200; i++) {
      if ((await t.request('GET', `/transaction/${id}`, { token })).body.energyWh > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stopped = await t.request('PUT', `/transaction/stop/${id}`, { token });
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('Completed');
    expect(stopped.body.energyWh).toBeGreaterThan(0);
    expect(stopped.body.price).toBeGreaterThan(0);

    // And again: the demo charger serves one session after another.
    const again = await t.request('POST', '/transaction', { token, body: { connectorID: 100000 } });
    expect(again.status).toBe(201);
    expect((await t.request('PUT', `/transaction/start/${again.body.transactionID}`, { token })).body.status).toBe('Charging');
    expect((await t.request('PUT', `/transaction/stop/${again.body.transactionID}`, { token })).body.status).toBe('Completed');
  });
});
