import type { Config } from './config.ts';

/**
 * The one line to print when a server cannot listen (the port is taken, or needs
 * privileges), naming the variable that changes it; undefined for any other failure.
 */
export function listenFailure(error: unknown, config: Pick<Config, 'httpPort' | 'ocppPort' | 'host'>): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code, port } = error as { code?: string; port?: number };
  const variable = port === config.ocppPort ? 'OCPP_PORT' : port === config.httpPort ? 'PORT' : undefined;
  if (!variable) return undefined;
  if (code === 'EADDRINUSE') return `Port ${port} is already in use: stop what uses it, or set ${variable} to another port.`;
  if (code === 'EACCES') return `Port ${port} needs privileges this process does not have: set ${variable} to a port above 1023.`;
  if (code === 'EADDRNOTAVAIL') return `Cannot listen on ${config.host}:${port}: set HOST to an address of this machine.`;
  return undefined;
}
