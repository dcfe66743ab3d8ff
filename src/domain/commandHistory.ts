import { sql, type Insertable, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { CommandHistoryTable, CommandOutcome } from '../db/schema.ts';
import type { CommandAction, CommandOrigin, CommandSubsystem } from './chargerGateway.ts';
import { DomainError, notFound } from './errors.ts';
import type { ChargerId } from './units.ts';

export { COMMAND_OUTCOMES, type CommandOutcome } from '../db/schema.ts';

/** A command as it leaves: what the history holds from its first write. */
export interface SentCommand {
  id: string;
  chargerId: ChargerId;
  action: CommandAction;
  request: unknown;
  origin: CommandOrigin;
  sentAt: Date;
}

/** How a command ended: the charger's answer, or the error it failed with. */
export type CommandEnd = { response: Record<string, unknown> } | { error: unknown };

/** One command of the history, as operators read it. */
export interface CommandRecord {
  commandId: string;
  chargerId: ChargerId;
  connectorId: number | null;
  action: string;
  subsystem: CommandSubsystem;
  userId: number | null;
  node: string;
  request: Record<string, unknown>;
  outcome: CommandOutcome;
  status: string | null;
  response: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  sentAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

/** Configuration values a command carries that must not be stored: the charger's Basic Auth password. */
const SECRET_KEYS = new Set(['AuthorizationKey']);

/** The request as the history stores it: a secret configuration value is replaced. */
export function storableRequest(action: CommandAction, request: unknown): unknown {
  if (action !== 'ChangeConfiguration') return request;
  const { key, value } = request as { key?: unknown; value?: unknown };
  return typeof key === 'string' && SECRET_KEYS.has(key) && value !== undefined ? { ...(request as object), value: '(secret)' } : request;
}

/** The outcome of a failed command, from the error the gateway raised. */
export function failureOutcome(error: unknown): CommandOutcome {
  if (!(error instanceof DomainError)) return 'failed';
  if (error.kind === 'badGateway') return 'callError';
  switch (error.codes[0]) {
    case 'invalidCommand': return 'invalid';
    case 'chargerOffline': return 'offline';
    case 'chargerTimeout': return 'timeout';
    case 'clusterUnavailable': return 'unavailable';
    default: return error.kind === 'timeout' ? 'timeout' : 'failed';
  }
}

const connectorOf = (request: unknown): number | null => {
  const connectorId = (request as { connectorId?: unknown } | null)?.connectorId;
  return typeof connectorId === 'number' ? connectorId : null;
};

type HistoryRow = Insertable<CommandHistoryTable>;

/** The columns a later write of a command sets: how it ended. */
const END_COLUMNS = ['outcome', 'status', 'response', 'error_code', 'error_message', 'finished_at', 'duration_ms'] as const;

/**
 * Writes the history of the commands this node initiates: a row when a command is sent
 * (so one in flight shows as `pending`) and its end when it is answered or fails. The
 * writes never hold the command up and never fail it: they run beside it and a failed
 * write is logged. Writes are group-committed: what arrives while one multi-row write is
 * under way goes into the next, and a command whose end arrives before its first write
 * left is written once. One write at a time, so a command's end is never overtaken by
 * its `pending` row. (After every boot several subsystems send commands at once; one
 * statement per command was most of a boot's database work.)
 */
export class CommandHistory {
  #queued = new Map<string, { row: HistoryRow; written: (() => void)[] }>();
  #writing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {}

  /** Records a command in flight; the promise settles once written (or the failure logged). */
  sent(command: SentCommand): Promise<void> {
    return this.#queue({ ...this.#row(command), outcome: 'pending' }, false);
  }

  /** Records how a command ended; the promise settles once written (or the failure logged). */
  ended(command: SentCommand, end: CommandEnd, at = new Date()): Promise<void> {
    const finish = 'response' in end
      ? {
        outcome: 'answered' as const,
        status: typeof end.response.status === 'string' ? end.response.status : null,
        response: JSON.stringify(end.response),
        error_code: null,
        error_message: null,
      }
      : {
        outcome: failureOutcome(end.error),
        status: null,
        response: null,
        error_code: end.error instanceof DomainError ? (end.error.codes[0] ?? null) : 'internalError',
        error_message: end.error instanceof Error ? end.error.message : String(end.error),
      };
    return this.#queue({ ...this.#row(command), ...finish, finished_at: at, duration_ms: Math.max(0, at.getTime() - command.sentAt.getTime()) }, true);
  }

  /** Settles once everything queued so far is written. */
  async close(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #queue(row: HistoryRow, ends: boolean): Promise<void> {
    return new Promise((resolve) => {
      const queued = this.#queued.get(row.id);
      if (!queued) this.#queued.set(row.id, { row, written: [resolve] });
      else {
        if (ends) queued.row = row;
        queued.written.push(resolve);
      }
      this.#writing ??= this.#writeQueued();
    });
  }

  async #writeQueued(): Promise<void> {
    // Lets the commands of this turn of the event loop join the write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queued.size > 0) {
      const batch = [...this.#queued.values()];
      this.#queued = new Map();
      try {
        await this.db.insertInto('command_history').values(batch.map(({ row }) => row))
          .onConflict((conflict) => conflict.column('id').doUpdateSet((eb) => Object.fromEntries(END_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)]))))
          .execute();
      } catch (error) {
        this.logger.warn({ err: error, commands: batch.length }, 'could not record command history');
      }
      for (const { written } of batch) for (const resolve of written) resolve();
    }
    this.#writing = undefined;
  }

  #row(command: SentCommand) {
    return {
      id: command.id,
      charger_id: command.chargerId,
      connector_id: connectorOf(command.request),
      action: command.action,
      subsystem: command.origin.subsystem,
      user_id: command.origin.userId ?? null,
      node_id: this.nodeId,
      request: JSON.stringify(storableRequest(command.action, command.request) ?? null),
      sent_at: command.sentAt,
    };
  }
}

/** Which commands of a charger to list, newest first. */
export interface HistoryQuery {
  limit: number;
  /** The commandId of the last command of the previous page. */
  before?: string;
  action?: string;
  outcome?: CommandOutcome;
}

export interface HistoryPage {
  commands: CommandRecord[];
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: string | null;
}

function toRecord(row: Selectable<CommandHistoryTable>): CommandRecord {
  return {
    commandId: row.id,
    chargerId: row.charger_id,
    connectorId: row.connector_id,
    action: row.action,
    subsystem: row.subsystem as CommandSubsystem,
    userId: row.user_id,
    node: row.node_id,
    request: row.request as Record<string, unknown>,
    outcome: row.outcome,
    status: row.status,
    response: (row.response ?? null) as Record<string, unknown> | null,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    sentAt: row.sent_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    durationMs: row.duration_ms,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A charger's commands, newest first, a page at a time. */
export async function listCommands(db: Db, chargerId: ChargerId, query: HistoryQuery): Promise<HistoryPage> {
  let select = db.selectFrom('command_history').selectAll().where('charger_id', '=', chargerId);
  if (query.before !== undefined) {
    const cursor = UUID.test(query.before)
      ? await db.selectFrom('command_history').select(['sent_at', 'id']).where('id', '=', query.before).where('charger_id', '=', chargerId).executeTakeFirst()
      : undefined;
    if (!cursor) throw new DomainError('invalid', ['invalidCursor'], `before: no command ${query.before} of charger ${chargerId}`);
    select = select.where(sql<boolean>`(sent_at, id) < (${cursor.sent_at}::timestamptz, ${cursor.id}::uuid)`);
  }
  if (query.action !== undefined) select = select.where('action', '=', query.action);
  if (query.outcome !== undefined) select = select.where('outcome', '=', query.outcome);
  const rows = await select.orderBy('sent_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit).map(toRecord);
  return { commands: page, nextBefore: rows.length > query.limit ? page.at(-1)!.commandId : null };
}

/** One command of the history. */
export async function getCommand(db: Db, commandId: string): Promise<CommandRecord> {
  const row = UUID.test(commandId) ? await db.selectFrom('command_history').selectAll().where('id', '=', commandId).executeTakeFirst() : undefined;
  if (!row) throw notFound(`Command ${commandId}`);
  return toRecord(row);
}
