import { once } from 'node:events';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RPCServer, type RPCClient } from 'ocpp-rpc';
import { WebSocketServer } from 'ws';
import type { Db } from '../src/db/connection.ts';
import { chargerIdentity, type ServerSpec } from './ipc.ts';
import { benchIdTag } from './load.ts';

const HOST = '127.0.0.1';
const SUBPROTOCOL = 'ocpp1.6';
const PROVISION_BATCH = 1000;

export interface StartedServer {
  /** Chargers connect to `${chargerUrl}/${identity}`. */
  chargerUrl: string;
  /** FlexiCharge's HTTP API (its /health tells the journal backlog). */
  httpUrl?: string;
  close(): Promise<void>;
}

/** The same answers from every server, so only the machinery around them differs. */
const bootResult = () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 });
const heartbeatResult = () => ({ currentTime: new Date().toISOString() });

export function startServer(spec: ServerSpec): Promise<StartedServer> {
  switch (spec.kind) {
    case 'bare-ws':
      return startBareWs();
    case 'ocpp-rpc':
      return startOcppRpc();
    case 'flexicharge':
      return startFlexiCharge(spec.chargers, spec.databaseUrl);
  }
}

/** The transport ceiling: parse, answer, nothing else (no validation, no state). */
async function startBareWs(): Promise<StartedServer> {
  const wss = new WebSocketServer({
    host: HOST,
    port: 0,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  await once(wss, 'listening');
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame: unknown = JSON.parse(String(data));
      if (!Array.isArray(frame) || frame[0] !== 2) return;
      const [, id, action] = frame;
      const result = action === 'BootNotification' ? bootResult() : action === 'Heartbeat' ? heartbeatResult() : undefined;
      socket.send(JSON.stringify(result ? [3, id, result] : [4, id, 'NotImplemented', '', {}]));
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    chargerUrl: `ws://${HOST}:${port}/charger`,
    close: () => new Promise<void>((resolve) => {
      // ws's close() waits for its clients; the bench has closed its own already.
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }),
  };
}

/** The reference library with schema validation of every call and answer. */
async function startOcppRpc(): Promise<StartedServer> {
  const server = new RPCServer({ protocols: [SUBPROTOCOL], strictMode: true });
  server.on('client', (client: RPCClient) => {
    client.handle('BootNotification', async () => bootResult());
    client.handle('Heartbeat', async () => heartbeatResult());
  });
  const http = await server.listen(0, HOST);
  const { port } = http.address() as AddressInfo;
  return { chargerUrl: `ws://${HOST}:${port}/charger`, close: () => server.close({ force: true }) };
}

/** The real system, on a fresh embedded database or on the given PostgreSQL database. */
async function startFlexiCharge(chargers: number, databaseUrl: string | undefined): Promise<StartedServer> {
  // Loaded here, not at the top: the baseline servers neither carry its modules in their heap nor fail with it.
  const [{ pino }, { loadConfig }, { startSystem }] = await Promise.all([import('pino'), import('../src/config.ts'), import('../src/system.ts')]);
  const dataDir = databaseUrl ? undefined : await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-bench-'));
  const removeDataDir = () => (dataDir ? fs.rm(dataDir, { recursive: true, force: true }) : Promise.resolve());
  const config = loadConfig({
    HOST,
    PORT: '0',
    OCPP_PORT: '0',
    LOG_LEVEL: 'silent',
    ADMIN_PASSWORD: 'bench-password-1',
    // Its ping sweep then never falls inside a bench phase (ocpp-rpc pings each client only every 30 s).
    OCPP_PING_INTERVAL: '60',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir }),
  });
  const system = await startSystem(config, pino({ level: 'silent' })).catch(async (error: unknown) => {
    await removeDataDir();
    throw error;
  });
  try {
    await provision(system.database.db, chargers);
  } catch (error) {
    await system.close();
    await removeDataDir();
    throw error;
  }
  return {
    chargerUrl: `${system.ocppUrl}/charger`,
    httpUrl: system.httpUrl,
    async close() {
      await system.close();
      await removeDataDir();
    },
  };
}

/**
 * Registers bench chargers 1..count on seed charge point 1, in the plain OCPP 1.6 dialect
 * (no BootData call), each with an RFID card of its own for its sessions.
 */
async function provision(db: Db, count: number): Promise<void> {
  for (let first = 1; first <= count; first += PROVISION_BATCH) {
    const last = Math.min(first + PROVISION_BATCH - 1, count);
    const rows = Array.from({ length: last - first + 1 }, (_, offset) => ({
      serial_number: chargerIdentity(first + offset),
      charge_point_id: 1,
      latitude: 57.7,
      longitude: 14.1,
      dialect: 'ocpp1.6',
    }));
    await db.insertInto('chargers').values(rows).execute();
    await db.insertInto('id_tags').values(rows.map((_row, offset) => ({ id_tag: benchIdTag(first - 1 + offset) }))).execute();
  }
}
