import { describe, expect, it } from 'vitest';
import { listenFailure } from '../../src/listenFailure.ts';

const config = { httpPort: 8080, ocppPort: 1337, host: '127.0.0.1' };
const failure = (code: string, port: number) => Object.assign(new Error(`listen ${code}`), { code, port });

describe('a server that cannot listen', () => {
  it('is told in one line naming the variable to change', () => {
    expect(listenFailure(failure('EADDRINUSE', 8080), config)).toBe('Port 8080 is already in use: stop what uses it, or set PORT to another port.');
    expect(listenFailure(failure('EADDRINUSE', 1337), config)).toContain('set OCPP_PORT');
    expect(listenFailure(failure('EACCES', 80), { ...config, httpPort: 80 })).toContain('set PORT to a port above 1023');
    expect(listenFailure(failure('EADDRNOTAVAIL', 8080), { ...config, host: '10.9.9.9' })).toContain('set HOST');
  });

  it('leaves every other failure to be reported as it is', () => {
    expect(listenFailure(new Error('boom'), config)).toBeUndefined();
    expect(listenFailure(failure('ECONNREFUSED', 5432), config)).toBeUndefined();
  });
});
