import type { ChargerAsk, ChargerRoutes } from '../cluster/chargerRoutes.ts';
import { randomUUID } from 'node:crypto';
import type { ChargerGateway, CommandAction, CommandOrigin, CommandRequest, CommandResponse, CommandResult } from '../domain/chargerGateway.ts';
import type { CommandHistory, SentCommand } from '../domain/commandHistory.ts';
import { DomainError } from '../domain/errors.ts';
import type { LiveSummary } from '../domain/sessions/summaries.ts';
import type { ChargerId, Dialect } from '../domain/units.ts';
import { answersCommand } from './dialect/commands.ts';
import { CallTimeoutError, ConnectionClosedError, type ChargerConnection } from './connection.ts';
import { OcppError } from './protocol/errors.ts';
import { checkRequest } from './protocol/schemas.ts';
import type { ConnectionRegistry } from './registry.ts';

/** What a remote ask may wait beyond the charger's own timeout: the holder's queue and the hop. */
const ROUTE_MARGIN_MS = 5000;
/** A describe or summary ask is answered by the holder from memory. */
const QUICK_ASK_MS = 5000;

const offline = (chargerId: ChargerId, detail = 'is not connected') => new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId} ${detail}`);

/**
 * The typed server→charger API the rest of the system uses. A charger on this node is
 * called directly; one on another node through the cluster's routes, which bring the
 * command to the node that holds its socket (and so to its one queue of commands).
 * Requests are checked against the OCPP schema before they are sent; answers were checked
 * by the connection that received them. Every command is recorded in the history here, on
 * the node that sends it, not on the node that holds the socket.
 */
export class OcppGateway implements ChargerGateway {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly routes: ChargerRoutes,
    private readonly callTimeoutMs: number,
    private readonly liveSummary: (sessionId: number) => LiveSummary | undefined,
    private readonly history: CommandHistory,
  ) {}

  async isConnected(chargerId: ChargerId): Promise<boolean> {
    if (this.registry.get(chargerId)) return true;
    return (await this.routes.ask(chargerId, { kind: 'describe' }, QUICK_ASK_MS)).held;
  }

  async supportsReservations(chargerId: ChargerId): Promise<boolean> {
    const connection = this.registry.get(chargerId);
    if (connection) return connection.dialect.supportsReservations;
    const result = await this.routes.ask(chargerId, { kind: 'describe' }, QUICK_ASK_MS);
    return result.held && (result.value as Description).supportsReservations;
  }

  async dialectOf(chargerId: ChargerId): Promise<Dialect | undefined> {
    const connection = this.registry.get(chargerId);
    if (connection) return connection.dialect.kind;
    const result = await this.routes.ask(chargerId, { kind: 'describe' }, QUICK_ASK_MS);
    return result.held ? (result.value as Description).dialect : undefined;
  }

  async send<A extends CommandAction>(chargerId: ChargerId, action: A, request: CommandRequest<A>, origin: CommandOrigin): Promise<CommandResponse<A>> {
    const result = await this.command(chargerId, action, request, origin);
    if (!result.answered) throw result.error;
    return result.response;
  }

  async command<A extends CommandAction>(chargerId: ChargerId, action: A, request: CommandRequest<A>, origin: CommandOrigin): Promise<CommandResult<A>> {
    const command: SentCommand = { id: randomUUID(), chargerId, action, request, origin, sentAt: new Date() };
    const problem = checkRequest(action, request);
    if (problem) {
      // Never sent: one write holds it all.
      const error = new DomainError('invalid', ['invalidCommand'], `${action}: ${problem.description}`);
      return { commandId: command.id, answered: false, error, recorded: this.history.ended(command, { error }) };
    }
    const sent = this.history.sent(command);
    try {
      const response = await this.#deliver(chargerId, action, request as Record<string, unknown>);
      return { commandId: command.id, answered: true, response: response as CommandResponse<A>, recorded: sent.then(() => this.history.ended(command, { response })) };
    } catch (error) {
      return { commandId: command.id, answered: false, error, recorded: sent.then(() => this.history.ended(command, { error })) };
    }
  }

  async #deliver(chargerId: ChargerId, action: CommandAction, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const connection = this.registry.get(chargerId);
    if (connection) return this.#callHere(connection, action, request);
    const result = await this.routes.ask(chargerId, { kind: 'command', action, request }, this.callTimeoutMs + ROUTE_MARGIN_MS);
    if (!result.held) throw offline(chargerId);
    return result.value as Record<string, unknown>;
  }

  /** The summary of a running session on whichever node holds its charger. */
  async summaryOf(sessionId: number, chargerId: ChargerId): Promise<LiveSummary | undefined> {
    const here = this.liveSummary(sessionId);
    if (here || this.registry.get(chargerId)) return here;
    const result = await this.routes.ask(chargerId, { kind: 'summary', sessionId }, QUICK_ASK_MS).catch(() => undefined);
    return result?.held ? ((result.value as LiveSummary | null) ?? undefined) : undefined;
  }

  /** Serves other nodes' asks for a charger whose socket this node holds. */
  serve(connection: ChargerConnection): (ask: ChargerAsk) => Promise<unknown> {
    return async (ask) => {
      if (this.registry.get(connection.chargerId) !== connection) throw offline(connection.chargerId, 'moved to another node');
      switch (ask.kind) {
        case 'describe': return { supportsReservations: connection.dialect.supportsReservations, dialect: connection.dialect.kind } satisfies Description;
        case 'summary': return this.liveSummary(ask.sessionId) ?? null;
        case 'command': {
          const problem = checkRequest(ask.action, ask.request);
          if (problem) throw new DomainError('invalid', ['invalidCommand'], `${ask.action}: ${problem.description}`);
          return this.#callHere(connection, ask.action, ask.request);
        }
      }
    };
  }

  async #callHere(connection: ChargerConnection, action: CommandAction, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { chargerId } = connection;
    if (!answersCommand(connection.dialect.kind, action)) {
      throw new DomainError('badGateway', ['NotSupported'], `Charger ${chargerId} speaks the FlexiCharge dialect, whose firmware does not answer ${action}`);
    }
    try {
      return await connection.call(action, request);
    } catch (error) {
      if (error instanceof CallTimeoutError) throw new DomainError('timeout', ['chargerTimeout'], `Charger ${chargerId}: ${error.message}`);
      if (error instanceof ConnectionClosedError) throw new DomainError('conflict', ['chargerOffline'], `Charger ${chargerId}: ${error.message}`);
      if (error instanceof OcppError) throw new DomainError('badGateway', [error.code], `Charger ${chargerId} answered ${action} with ${error.code}: ${error.description}`);
      throw error;
    }
  }
}

interface Description {
  supportsReservations: boolean;
  dialect: Dialect;
}
