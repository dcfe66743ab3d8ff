import { OcppError } from './errors.ts';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;

/**
 * A message id as the peer sent it. OCPP-J says string; FlexiCharge chargers and people
 * with Postman send numbers, and a reply must echo the id exactly as it came.
 */
export type MessageId = string | number;

export type Frame =
  /** `pruned`: parts nested deeper than MAX_DEPTH were replaced by null. */
  | { type: typeof CALL; id: MessageId; action: string; payload: Record<string, unknown>; pruned: boolean }
  /** `action` is set when the peer used the FlexiCharge 4-element form `[3, id, "Action", payload]`. */
  | { type: typeof CALLRESULT; id: MessageId; action?: string; payload: Record<string, unknown> }
  | { type: typeof CALLERROR; id: MessageId; code: string; description: string; details: unknown };

/** A frame we cannot act on; `id` is what could be recovered for the CALLERROR. */
export class FrameError extends OcppError {
  constructor(code: string, description: string, readonly id: MessageId) {
    super(code, description);
  }
}

const MAX_ID_LENGTH = 128;
/** No OCPP message nests deeper than a dozen levels; deeper input is cut so that nothing recursive (schema checks, JSON.stringify, logging) can overflow the stack. */
export const MAX_DEPTH = 32;
const UNKNOWN_ID = '-1';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validId(value: unknown): value is MessageId {
  return (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH) || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * A JSON string's inside (RFC 8259 §7): no raw `"`, `\` or control character, and only the
 * defined escapes. At most 6 × 128 characters, the longest text a 128-character id can be
 * written as (every character as `\uXXXX`).
 */
const JSON_STRING_BODY = String.raw`(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4}){1,768}`;
const FRAME_HEAD = new RegExp(String.raw`^\s*\[\s*\d+\s*,\s*(?:("${JSON_STRING_BODY}")|(-?\d+))`);

/**
 * The id at the head of a frame that is not valid JSON or too large to parse, if it can be
 * read. A string id is decoded as JSON would (`"a\"b"` is the id `a"b`), since the
 * CALLERROR must echo the id the peer meant; one that decodes to more than 128 characters
 * is no id (as in parseFrame).
 */
export function recoverMessageId(text: string): MessageId {
  const match = FRAME_HEAD.exec(text.slice(0, 1000));
  if (match?.[1] !== undefined) {
    const id = JSON.parse(match[1]) as string;
    return id.length <= MAX_ID_LENGTH ? id : UNKNOWN_ID;
  }
  if (match?.[2] !== undefined) return Number(match[2]);
  return UNKNOWN_ID;
}

/** Parses one text frame. Throws FrameError with the CALLERROR code for a malformed frame. */
export function parseFrame(text: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('FormationViolation', 'Frame is not valid JSON', recoverMessageId(text));
  }
  if (!Array.isArray(value) || value.length < 2) throw new FrameError('FormationViolation', 'Frame must be a JSON array [type, id, …]', UNKNOWN_ID);
  const pruned = pruneDeep(value);
  const [type, id] = value;
  if (!validId(id)) throw new FrameError('FormationViolation', 'Message id must be a string of at most 128 characters', UNKNOWN_ID);
  switch (type) {
    case CALL: {
      const [, , action, payload] = value;
      if (typeof action !== 'string' || action === '') throw new FrameError('FormationViolation', 'CALL needs an action name', id);
      if (value.length < 4) throw new FrameError('ProtocolError', 'CALL has no payload', id);
      if (payload !== null && !isObject(payload)) throw new FrameError('FormationViolation', 'CALL payload must be a JSON object', id);
      return { type: CALL, id, action, payload: payload ?? {}, pruned };
    }
    case CALLRESULT: {
      const [, , second, third] = value;
      if (typeof second === 'string') return { type: CALLRESULT, id, action: second, payload: isObject(third) ? third : {} };
      if (second !== undefined && second !== null && !isObject(second)) throw new FrameError('FormationViolation', 'CALLRESULT payload must be a JSON object', id);
      return { type: CALLRESULT, id, payload: second ?? {} };
    }
    case CALLERROR: {
      const [, , code, description, details] = value;
      return { type: CALLERROR, id, code: String(code ?? 'GenericError'), description: String(description ?? ''), details: details ?? {} };
    }
    default:
      throw new FrameError('FormationViolation', `Unknown message type ${JSON.stringify(type)}`, id);
  }
}

/** Replaces every object or array nested deeper than MAX_DEPTH with null, without recursion; true when it cut anything. */
function pruneDeep(root: unknown[]): boolean {
  let cut = false;
  const stack: [Record<string, unknown> | unknown[], number][] = [[root, 1]];
  while (stack.length) {
    const [container, depth] = stack.pop()!;
    for (const key in container) {
      const child = (container as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) continue;
      if (depth >= MAX_DEPTH) {
        (container as Record<string, unknown>)[key] = null;
        cut = true;
      } else {
        stack.push([child as Record<string, unknown>, depth + 1]);
      }
    }
  }
  return cut;
}

export const callFrame = (id: MessageId, action: string, payload: unknown) => JSON.stringify([CALL, id, action, payload]);
export const resultFrame = (id: MessageId, payload: unknown) => JSON.stringify([CALLRESULT, id, payload]);
export const errorFrame = (id: MessageId, code: string, description: string, details: unknown = {}) =>
  JSON.stringify([CALLERROR, id, code, description, details]);
