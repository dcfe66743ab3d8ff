import type { Db } from '../db/connection.ts';
import type { ChargerId } from './units.ts';

/** One stored OCPP frame (OCPP_MESSAGE_LOG=1), with what its OCPP-J envelope says. */
export interface StoredFrame {
  id: number;
  direction: 'in' | 'out';
  at: string;
  /** 2 CALL, 3 CALLRESULT, 4 CALLERROR; null for a frame that is not an OCPP-J array. */
  messageType: number | null;
  messageId: string | null;
  /** The action of a CALL. */
  action: string | null;
  /** The frame as it went over the wire. */
  frame: string;
}

export interface FramesQuery {
  limit: number;
  /** The id of the last frame of the previous page. */
  before?: number;
  direction?: 'in' | 'out';
}

/** What the envelope of a frame says; a frame a charger garbled still shows, as text. */
function envelopeOf(frame: string): Pick<StoredFrame, 'messageType' | 'messageId' | 'action'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) return { messageType: null, messageId: null, action: null };
  const [type, id, action] = parsed as unknown[];
  return {
    messageType: typeof type === 'number' ? type : null,
    messageId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
    action: type === 2 && typeof action === 'string' ? action : null,
  };
}

/** A charger's stored frames, newest first, a page at a time. */
export async function listFrames(db: Db, chargerId: ChargerId, query: FramesQuery): Promise<{ frames: StoredFrame[]; nextBefore: number | null }> {
  let select = db.selectFrom('ocpp_messages').select(['id', 'direction', 'at', 'frame']).where('charger_id', '=', chargerId);
  if (query.before !== undefined) select = select.where('id', '<', query.before);
  if (query.direction !== undefined) select = select.where('direction', '=', query.direction);
  const rows = await select.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const frames = rows.slice(0, query.limit).map((row) => ({
    id: Number(row.id), direction: row.direction, at: row.at.toISOString(), ...envelopeOf(row.frame), frame: row.frame,
  }));
  return { frames, nextBefore: rows.length > query.limit ? frames.at(-1)!.id : null };
}
