import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, withDotEnv } from '../../src/config.ts';

describe('configuration', () => {
  it('has working defaults: ports 8080/1337, embedded database in ./data, Klarna bypassed', () => {
    const config = loadConfig({});
    expect(config.httpPort).toBe(8080);
    expect(config.ocppPort).toBe(1337);
    expect(config.database).toEqual({ kind: 'embedded', dataDir: path.resolve('data', 'pg') });
    expect(config.klarna.bypass).toBe(true);
    expect(config.liveMetricsDbUpdateIntervalMs).toBe(10000);
    expect(config.seed).toBe(true);
  });

  it('reads the original variables', () => {
    const config = loadConfig({
      PORT: '9000', RUN_OCPP_TEST: '1', OCPP_TEST_INTERVAL_MULTIPLIER: '2.5', LIVEMETRICS_DB_UPDATE_INTERVAL: '3000',
      BYPASS_KLARNA: '0', KLARNA_TOKEN: 'user:pass',
    });
    expect(config.httpPort).toBe(9000);
    expect(config.selfTest).toEqual({ runAtStart: true, intervalMultiplier: 2.5 });
    expect(config.liveMetricsDbUpdateIntervalMs).toBe(3000);
    expect(config.klarna).toMatchObject({ bypass: false, token: 'user:pass' });
  });

  it('builds a server URL from USE_LOCAL_DATABASE=0 and DATABASE_*, and DATABASE_URL wins over both', () => {
    const fromParts = loadConfig({
      USE_LOCAL_DATABASE: '0', DATABASE_HOST: 'db.internal', DATABASE_NAME: 'fc', DATABASE_USERNAME: 'app', DATABASE_PASSWORD: 'p@ss',
    });
    expect(fromParts.database).toEqual({ kind: 'postgres', url: 'postgres://app:p%40ss@db.internal:5432/fc', poolSize: 10 });
    const fromUrl = loadConfig({ DATABASE_URL: 'postgres://x@y/z', USE_LOCAL_DATABASE: '1' });
    expect(fromUrl.database).toMatchObject({ kind: 'postgres', url: 'postgres://x@y/z' });
  });

  it.each([
    ['PORT', 'abc'],
    ['OCPP_PORT', '70000'],
    ['USE_LOCAL_DATABASE', 'yes please'],
    ['LIVEMETRICS_DB_UPDATE_INTERVAL', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['KLARNA_BASE_URL', 'not a url'],
    ['JWT_SECRET', 'too-short'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['KLARNA_TOKEN', ''],
  ])('refuses %s=%s with a one-line message naming it', (name, value) => {
    let error: unknown;
    try {
      // KLARNA_TOKEN is only required when Klarna is used.
      loadConfig({ [name]: value, ...(name === 'KLARNA_TOKEN' ? { BYPASS_KLARNA: '0' } : {}) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('takes values from a .env file, with the real environment winning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'PORT=9100\nOCPP_PORT=9101\n# comment\nSEED=0\n');
    const config = loadConfig(withDotEnv({ OCPP_PORT: '9200' }, file));
    expect(config.httpPort).toBe(9100);
    expect(config.ocppPort).toBe(9200);
    expect(config.seed).toBe(false);
    expect(withDotEnv({ A: '1' }, path.join(dir, 'missing.env'))).toEqual({ A: '1' });
    fs.rmSync(dir, { recursive: true });
  });
});
