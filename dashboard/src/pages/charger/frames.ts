/** OCPP-J frames as the message log shows them: parsed once, with the action of the CALL an answer belongs to. */

export type Direction = 'in' | 'out';

export interface LoggedFrame {
  /** Unique within the log (React key). */
  key: string;
  direction: Direction;
  at: string;
  /** 2 CALL, 3 CALLRESULT, 4 CALLERROR; null when the text is not an OCPP-J array. */
  messageType: 2 | 3 | 4 | null;
  messageId: string | null;
  /** The action of a CALL. */
  action: string | null;
  /** For a CALLRESULT/CALLERROR: the action of the CALL it answers, when that CALL was seen. */
  answers: string | null;
  pretty: string;
  text: string;
}

/** Most frames kept; older ones are dropped. */
export const MAX_FRAMES = 500;

interface Parsed {
  messageType: 2 | 3 | 4 | null;
  messageId: string | null;
  action: string | null;
  pretty: string;
}

function parse(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { messageType: null, messageId: null, action: null, pretty: text };
  }
  const pretty = JSON.stringify(value, null, 2);
  if (!Array.isArray(value) || ![2, 3, 4].includes(value[0] as number) || typeof value[1] !== 'string') {
    return { messageType: null, messageId: null, action: null, pretty };
  }
  const messageType = value[0] as 2 | 3 | 4;
  return { messageType, messageId: value[1], action: messageType === 2 && typeof value[2] === 'string' ? value[2] : null, pretty };
}

/**
 * Remembers the CALLs seen in each direction by message id, so that an answer (which goes
 * the other way with the same id) is labelled with the action it answers.
 */
export class FrameReader {
  private readonly calls = new Map<string, string>();
  private counter = 0;

  read(direction: Direction, at: string, text: string): LoggedFrame {
    const parsed = parse(text);
    let answers: string | null = null;
    if (parsed.messageId !== null) {
      if (parsed.messageType === 2 && parsed.action) {
        this.calls.set(`${direction}:${parsed.messageId}`, parsed.action);
        // Ids are the sender's counters or UUIDs; only the recent ones can still be answered.
        if (this.calls.size > MAX_FRAMES * 2) this.calls.delete(this.calls.keys().next().value!);
      } else {
        answers = this.calls.get(`${direction === 'in' ? 'out' : 'in'}:${parsed.messageId}`) ?? null;
      }
    }
    return { key: `f${++this.counter}`, direction, at, text, answers, ...parsed };
  }
}

/** The action a frame is about: its own (CALL) or the one it answers. */
export const actionOf = (frame: LoggedFrame) => frame.action ?? frame.answers;
