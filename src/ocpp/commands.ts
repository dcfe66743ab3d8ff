import type { ChargerGateway, CommandAction, CommandRequest, CommandResponse } from '../domain/chargerGateway.ts';
import { DomainError } from '../domain/errors.ts';
import type { ChargerId } from '../domain/units.ts';
import { CallTimeoutError, ConnectionClosedError } from './connection.ts';
import { OcppError } from './protocol/errors.ts';
import { checkRequest } from './protocol/schemas.ts';
import type { ConnectionRegistry } from './registry.ts';

/**
 * The typed server→charger API the rest of the system uses. Requests are checked against
 * the OCPP schema before they are sent; answers were checked by the connection.
 */
export class OcppGateway implements ChargerGateway {
  constructor(private readonly registry: ConnectionRegistry) {}

  isConnected(chargerId: ChargerId): boolean {
    return this.registry.get(chargerId) !== undefined;
  }

  supportsReservations(chargerId: ChargerId): boolean {
    const connection = this.registry.get(chargerId);
    return connection !== undefined && connection.dialect.supportsReservations;
  }

  async send<A extends CommandAction>(chargerId: ChargerId, action: A, request: CommandRequest<A>): Promise<CommandResponse<A>> {
    const connection = this.registry.get(chargerId);
    if (!connection) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} is not connected`);
    const problem = checkRequest(action, request);
    if (problem) throw new DomainError('invalid', ['invalidCommand'], `${action}: ${problem.description}`);
    try {
      return (await connection.call(action, request as Record<string, unknown>)) as CommandResponse<A>;
    } catch (error) {
      if (error instanceof CallTimeoutError) throw new DomainError('timeout', ['chargerTimeout'], `Charger ${chargerId}: ${error.message}`);
      if (error instanceof ConnectionClosedError) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId}: ${error.message}`);
      if (error instanceof OcppError) throw new DomainError('badGateway', [error.code], `Charger ${chargerId} answered ${action} with ${error.code}: ${error.description}`);
      throw error;
    }
  }
}
