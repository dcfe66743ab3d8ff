import { describe, expect, it } from 'vitest';
import type { Lifecycle } from '../../src/domain/lifecycle.ts';

/** What happens to one row, told as the events it goes through, and where it ends. */
export interface Story<Status extends string, Event extends string> {
  story: string;
  /** null: the row does not exist yet. */
  from: Status | null;
  events: Event[];
  to: Status;
}

/** A domain rule that rules out events in some statuses. */
export interface Forbidden<Status extends string, Event extends string> {
  rule: string;
  never: [Status | null, Event][];
}

export interface LifecycleCases<Status extends string, Event extends string> {
  lifecycle: Lifecycle<Status, Event>;
  /** Every status and every event, as records: one left out is a compile error. */
  statuses: Record<Status, true>;
  events: Record<Event, true>;
  stories: Story<Status, Event>[];
  forbidden: Forbidden<Status, Event>[];
}

const step = (from: string | null, event: string) => `${from ?? 'new'} --${event}-->`;

/** The status after the events; fails at an event that cannot happen where the row is. */
function walk<Status extends string, Event extends string>(lifecycle: Lifecycle<Status, Event>, from: Status | null, events: Event[]): Status | null {
  let status = from;
  for (const event of events) {
    const next = lifecycle.next(status, event);
    if (next === undefined) throw new Error(`${step(status, event)} is not allowed`);
    status = next;
  }
  return status;
}

/**
 * The stories a lifecycle must tell, the rules it must keep, and that the stories take
 * every transition it allows (so a new transition comes with a story of its own).
 */
export function describeLifecycle<Status extends string, Event extends string>(name: string, cases: LifecycleCases<Status, Event>): void {
  const { lifecycle } = cases;
  describe(`the ${name} lifecycle`, () => {
    it.each(cases.stories)('$story', ({ from, events, to }) => {
      expect(walk(lifecycle, from, events)).toBe(to);
    });

    it.each(cases.forbidden)('never: $rule', ({ never }) => {
      for (const [from, event] of never) expect(lifecycle.next(from, event), step(from, event)).toBeUndefined();
    });

    it('guards each event by the stored statuses it may happen in, and leads it to one status', () => {
      for (const event of Object.keys(cases.events) as Event[]) {
        const from = (Object.keys(cases.statuses) as Status[]).filter((status) => lifecycle.next(status, event) !== undefined);
        expect(lifecycle.from(event).sort(), event).toEqual(from.sort());
        for (const status of [null, ...from]) if (lifecycle.next(status, event)) expect(lifecycle.next(status, event), event).toBe(lifecycle.to(event));
      }
    });

    it('allows no transition that no story takes', () => {
      const taken = new Set(cases.stories.flatMap(({ from, events }) => events.map((event, i) => step(i === 0 ? from : walk(lifecycle, from, events.slice(0, i)), event))));
      const statuses = [null, ...(Object.keys(cases.statuses) as Status[])];
      const allowed = statuses.flatMap((from) => (Object.keys(cases.events) as Event[]).filter((event) => lifecycle.next(from, event) !== undefined).map((event) => step(from, event)));
      expect([...taken].sort()).toEqual(allowed.sort());
    });
  });
}
