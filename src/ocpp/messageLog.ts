import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import { storableRequest } from '../domain/commandHistory.ts';
import type { ChargerConnection } from './connection.ts';

const FLUSH_MS = 1000;

/** Stores OCPP frames (OCPP_MESSAGE_LOG=1) in batches, once a second. */
export class MessageLog {
  #rows: { charger_id: number; identity: string; direction: 'in' | 'out'; frame: string; at: Date }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly db: Db, private readonly logger: Logger) {
    this.#timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.#timer.unref();
  }

  record(connection: ChargerConnection, direction: 'in' | 'out', frame: string): void {
    this.#rows.push({ charger_id: connection.chargerId, identity: connection.identity, direction, frame: direction === 'out' ? withoutSecrets(frame) : frame, at: new Date() });
  }

  async flush(): Promise<void> {
    if (this.#rows.length === 0) return;
    const rows = this.#rows;
    this.#rows = [];
    try {
      await this.db.insertInto('ocpp_messages').values(rows).execute();
    } catch (error) {
      this.logger.warn({ err: error, frames: rows.length }, 'could not store OCPP frames');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

/** An outbound CALL that carries a charger's new password (ChangeConfiguration AuthorizationKey) is stored without it. */
export function withoutSecrets(frame: string): string {
  if (!frame.includes('"AuthorizationKey"')) return frame;
  const [type, id, action, payload] = JSON.parse(frame) as [number, string, string, unknown];
  return type === 2 && action === 'ChangeConfiguration' ? JSON.stringify([type, id, action, storableRequest(action, payload)]) : frame;
}
