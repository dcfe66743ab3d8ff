import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.ts';
import type { PaymentStatus } from '../../src/db/schema.ts';
import { createUser } from '../../src/domain/users.ts';
import { TestCluster } from '../support/cluster.ts';
import { NatsServer } from '../support/natsServer.ts';
import { killServersLeftRunning, PROCESS_TEST_TIMEOUT_MS } from '../support/serverProcess.ts';
import { until } from '../support/until.ts';

/** Last month as the invoicing job sees it (UTC), and a day in it. */
const now = new Date();
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const period = lastMonth.toISOString().slice(0, 10);
const dayOfLastMonth = (day: number, hour = 12) => new Date(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth(), day, hour));
const dayOfThisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 0, 30));

const USERS = 5;
const SESSIONS_PER_USER = 3;

describe('once-only work among three nodes: last month\'s invoices', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let nats: NatsServer;
  let cluster: TestCluster;
  const users: { id: number; total: number }[] = [];

  async function completedSession(db: Db, userId: number, priceOre: number, stoppedAt: Date, status: PaymentStatus = 'Invoiced'): Promise<void> {
    const session = await db.insertInto('charging_sessions').values({
      connector_id: 1, user_id: userId, status: 'Completed', energy_wh: priceOre * 2, price_ore: priceOre,
      meter_start_wh: 0, meter_stop_wh: priceOre * 2, started_at: new Date(stoppedAt.getTime() - 3_600_000), stopped_at: stoppedAt,
    }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('payments').values({ session_id: session.id, provider: 'invoice', status }).execute();
  }

  beforeAll(async () => {
    nats = await NatsServer.start();
    cluster = await TestCluster.start({
      natsUrl: nats.url,
      // The housekeeper's lease must outlast any stall of a busy machine at the one first check
      // (10 s after the start); how fast a lapse is noticed does not matter here.
      leaseTtlSeconds: 15,
      async prepare(db) {
        for (let u = 0; u < USERS; u++) {
          const user = await createUser(db, { email: `invoiced${u}@cluster.flexicharge`, password: 'driver-password-1', role: 'user' });
          let total = 0;
          for (let s = 0; s < SESSIONS_PER_USER; s++) {
            const price = 1_000 + 137 * u + 11 * s;
            total += price;
            await completedSession(db, user.id, price, dayOfLastMonth(2 + s * 5, 8 + u));
          }
          // Neither of these is on last month's invoice: paid otherwise, and finished this month.
          await completedSession(db, user.id, 999, dayOfLastMonth(20), 'Captured');
          await completedSession(db, user.id, 555, dayOfThisMonth);
          users.push({ id: user.id, total });
        }
      },
    });
  });
  afterAll(async () => {
    await cluster?.close();
    await nats?.stop();
    killServersLeftRunning();
  });

  it('after the first invoicing check each user has one invoice for last month, numbered in sequence, made by one node', async () => {
    const nodes = [...cluster.nodes.values()];
    await until(async () => nodes.some((node) => node.logged('monthly invoices created').length > 0), 90_000);
    const invoices = await cluster.db.selectFrom('invoices').selectAll().orderBy('number').execute();
    expect(invoices.map((invoice) => new Date(invoice.period).toISOString().slice(0, 10))).toEqual(users.map(() => period));
    expect(invoices.map((invoice) => invoice.user_id).sort()).toEqual(users.map((user) => user.id).sort());
    expect(invoices.map((invoice) => invoice.number)).toEqual(users.map((_, index) => index + 1));
    for (const user of users) {
      const invoice = invoices.find((candidate) => candidate.user_id === user.id)!;
      expect(invoice.total_ore).toBe(user.total);
      const lines = await cluster.db.selectFrom('invoice_lines').select('amount_ore').where('invoice_id', '=', invoice.id).execute();
      expect(lines).toHaveLength(SESSIONS_PER_USER);
    }

    const creators = nodes.filter((node) => node.logged('monthly invoices created').length > 0);
    expect(creators.map((node) => node.id)).toHaveLength(1);
    expect(creators[0]!.logged('monthly invoices created')).toEqual([expect.objectContaining({ created: USERS, month: period.slice(0, 7) })]);
    // The node that invoiced was the housekeeper, and it stayed the only one.
    expect(creators[0]!.logged('this node does the housekeeping now')).not.toHaveLength(0);
    for (const node of nodes.filter((other) => other !== creators[0])) expect(node.logged('this node does the housekeeping now'), node.id).toEqual([]);
  });
});
