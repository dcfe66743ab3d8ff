/** One event of a lifecycle: the statuses a row may be in when it happens (`null`: the event creates the row), and the status it leaves. */
export interface Step<Status extends string> {
  readonly from: readonly (Status | null)[];
  readonly to: Status;
}

/**
 * The lifecycle of a status column, as the events that change it: the one place that says
 * which status may follow which. Code that changes a status names its event; a statement
 * that another writer could race is guarded by the event's `from` statuses.
 */
export class Lifecycle<Status extends string, Event extends string> {
  constructor(private readonly steps: Readonly<Record<Event, Step<Status>>>) {}

  /** The status after `event` happens to a row in status `from` (null: no row yet); undefined where it cannot happen. */
  next(from: Status | null, event: Event): Status | undefined {
    const step = this.steps[event];
    return step.from.includes(from) ? step.to : undefined;
  }

  /** The status `event` leaves a row in. */
  to(event: Event): Status {
    return this.steps[event].to;
  }

  /** The stored statuses `event` may happen in: what a statement making it happen is guarded by. */
  from(event: Event): Status[] {
    return this.steps[event].from.filter((status): status is Status => status !== null);
  }
}
