import { once } from 'node:events';
import net from 'node:net';
import { expect, it } from 'vitest';
import { startTestSystem } from '../support/testSystem.ts';

it('closes a connection that never sent a request when it stops, instead of waiting for it to time out', async () => {
  const t = await startTestSystem();
  const { hostname, port } = new URL(t.system.httpUrl);
  const silent = net.connect(Number(port), hostname);
  await once(silent, 'connect');
  const closed = once(silent, 'close');
  // A connection that made a request and waits between requests is let go as well.
  expect((await t.request('GET', '/health')).status).toBe(200);
  await t.close();
  await closed;
  expect(silent.destroyed).toBe(true);
}, 30_000);
