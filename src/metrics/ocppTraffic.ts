import { Counter, Histogram, type Registry } from 'prom-client';
import type { OcppObserver } from '../ocpp/observer.ts';
import type { OcppErrorCode } from '../ocpp/protocol/errors.ts';
import { isOcppAction } from '../ocpp/protocol/schemas.ts';

/** A name a charger sends that is no OCPP action: counted under one label, so no charger can add series. */
const OTHER_ACTION = 'other';
/** The action of a frame that could not be read (answered with a CALLERROR). */
const UNREADABLE = 'unreadable';
const OTHER_CODE = 'other';
const ERROR_CODES: readonly OcppErrorCode[] = [
  'NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation',
  'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError',
];

/** Seconds from a command going out to the charger's answer; OCPP_CALL_TIMEOUT is 30 s by default. */
const COMMAND_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The messages of one action, as plain numbers: the message path only adds one. */
class ActionCounts {
  callIn = 0;
  resultOut = 0;
  errorOut = 0;
  callOut = 0;
  resultIn = 0;
  errorIn = 0;
}

class CodeCounts {
  sent = 0;
  received = 0;
}

type Direction = 'in' | 'out';
type MessageType = 'CALL' | 'CALLRESULT' | 'CALLERROR';
const MESSAGE_SERIES: readonly [keyof ActionCounts, Direction, MessageType][] = [
  ['callIn', 'in', 'CALL'], ['resultOut', 'out', 'CALLRESULT'], ['errorOut', 'out', 'CALLERROR'],
  ['callOut', 'out', 'CALL'], ['resultIn', 'in', 'CALLRESULT'], ['errorIn', 'in', 'CALLERROR'],
];

/**
 * The OCPP traffic of this node's chargers: messages by direction, action and type, CALLERRORs
 * by code, and how long chargers take to answer our commands. Counting a message costs a
 * map lookup and an increment; prom-client reads the counts only when /metrics is scraped.
 */
export class OcppTraffic implements OcppObserver {
  readonly #byAction = new Map<string, ActionCounts>();
  readonly #other = new ActionCounts();
  readonly #byCode = new Map<string, CodeCounts>(ERROR_CODES.map((code) => [code, new CodeCounts()]));
  readonly #otherCode = new CodeCounts();
  readonly #latency: Histogram<'action'>;
  readonly #latencyByAction = new Map<string, Histogram.Internal<'action'>>();
  readonly #timeouts: Counter<'action'>;

  constructor(registry: Registry) {
    const byAction = this.#byAction;
    const other = this.#other;
    new Counter({
      name: 'flexicharge_ocpp_messages_total',
      help: 'OCPP messages by direction (in: from chargers), action and message_type (CALL, CALLRESULT, CALLERROR)',
      labelNames: ['direction', 'action', 'message_type'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [action, counts] of [...byAction, [OTHER_ACTION, other] as const]) {
          for (const [field, direction, type] of MESSAGE_SERIES) {
            if (counts[field] > 0) this.inc({ direction, action, message_type: type }, counts[field]);
          }
        }
      },
    });
    const byCode = this.#byCode;
    const otherCode = this.#otherCode;
    new Counter({
      name: 'flexicharge_ocpp_callerrors_total',
      help: 'CALLERRORs by code: direction out were sent to chargers, in came from chargers',
      labelNames: ['direction', 'code'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [code, counts] of [...byCode, [OTHER_CODE, otherCode] as const]) {
          this.inc({ direction: 'out', code }, counts.sent);
          this.inc({ direction: 'in', code }, counts.received);
        }
      },
    });
    this.#latency = new Histogram({
      name: 'flexicharge_ocpp_command_duration_seconds',
      help: 'Seconds from a command (server→charger CALL) going out to the charger\'s answer (CALLRESULT or CALLERROR)',
      labelNames: ['action'],
      buckets: COMMAND_BUCKETS,
      registers: [registry],
    });
    this.#timeouts = new Counter({
      name: 'flexicharge_ocpp_command_timeouts_total',
      help: 'Commands a charger did not answer within OCPP_CALL_TIMEOUT',
      labelNames: ['action'],
      registers: [registry],
    });
  }

  callReceived(action: string): void {
    this.#counts(action).callIn++;
  }

  callAnswered(action: string | undefined, errorCode?: string): void {
    const counts = action === undefined ? this.#counts(UNREADABLE) : this.#counts(action);
    if (errorCode === undefined) {
      counts.resultOut++;
    } else {
      counts.errorOut++;
      this.#code(errorCode).sent++;
    }
  }

  commandSent(action: string): void {
    this.#counts(action).callOut++;
  }

  commandAnswered(action: string, seconds: number, errorCode?: string): void {
    const counts = this.#counts(action);
    if (errorCode === undefined) {
      counts.resultIn++;
    } else {
      counts.errorIn++;
      this.#code(errorCode).received++;
    }
    this.#latencyOf(action).observe(seconds);
  }

  commandTimedOut(action: string): void {
    this.#timeouts.inc({ action: isOcppAction(action) ? action : OTHER_ACTION });
  }

  /** Created once per OCPP action; a name that is none shares one entry and is never kept. */
  #counts(action: string): ActionCounts {
    let counts = this.#byAction.get(action);
    if (counts) return counts;
    if (action !== UNREADABLE && !isOcppAction(action)) return this.#other;
    this.#byAction.set(action, (counts = new ActionCounts()));
    return counts;
  }

  #code(code: string): CodeCounts {
    return this.#byCode.get(code) ?? this.#otherCode;
  }

  #latencyOf(action: string): Histogram.Internal<'action'> {
    let child = this.#latencyByAction.get(action);
    if (child) return child;
    const label = isOcppAction(action) ? action : OTHER_ACTION;
    child = this.#latency.labels(label);
    if (label === action) this.#latencyByAction.set(action, child);
    return child;
  }
}
