import { describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../src/db/schema.ts';
import {
  APP_ONLY_SESSION_STATUSES, FINISHED_SESSION_STATUSES, NOT_BEGUN_SESSION_STATUSES, OPEN_SESSION_STATUSES, RUNNING_SESSION_STATUSES,
  sessionLifecycle, type SessionEvent,
} from '../../src/domain/sessions/status.ts';
import { describeLifecycle } from '../support/lifecycleCases.ts';

const statuses = { Created: true, Starting: true, Charging: true, Stopping: true, Completed: true, Failed: true, Cancelled: true } satisfies Record<SessionStatus, true>;
const appEvents: SessionEvent[] = ['created', 'startRequested', 'startFailed', 'cancelled'];

describeLifecycle('charging session', {
  lifecycle: sessionLifecycle,
  statuses,
  events: {
    created: true, startRequested: true, startFailed: true, cancelled: true,
    chargerStarted: true, chargerStartRefused: true, chargerStopped: true, closed: true,
  },
  stories: [
    { story: 'the app creates and starts a session, the charger starts and stops it', from: null, events: ['created', 'startRequested', 'chargerStarted', 'chargerStopped'], to: 'Completed' },
    { story: 'a card at the charger starts a session of its own, the charger stops it', from: null, events: ['chargerStarted', 'chargerStopped'], to: 'Completed' },
    { story: 'a refused card is recorded and stays open until its charger stops it', from: null, events: ['chargerStartRefused', 'chargerStopped'], to: 'Completed' },
    { story: "the charger refuses the card of the app's session", from: 'Created', events: ['startRequested', 'chargerStartRefused'], to: 'Stopping' },
    { story: 'a stop that names no known session becomes a completed session of its own', from: null, events: ['chargerStopped'], to: 'Completed' },
    {
      story: 'the central system closes a session that cannot be running; the charger\'s real stop completes it again',
      from: null, events: ['chargerStarted', 'closed', 'chargerStopped'], to: 'Completed',
    },
    { story: 'a refused start its charger never stops is closed', from: null, events: ['chargerStartRefused', 'closed'], to: 'Completed' },
    { story: 'a session still starting (its StartTransaction not stored) is completed by its stop', from: 'Starting', events: ['chargerStopped'], to: 'Completed' },
    { story: 'a session still starting is closed when it cannot be running', from: 'Starting', events: ['closed'], to: 'Completed' },
    { story: 'a session whose reservation or payment fails at creation fails', from: null, events: ['created', 'startFailed'], to: 'Failed' },
    { story: 'a start the charger refuses or never begins fails', from: 'Created', events: ['startRequested', 'startFailed'], to: 'Failed' },
    { story: 'the user stops a session before starting it', from: null, events: ['created', 'cancelled'], to: 'Cancelled' },
    { story: 'a stop that races the start request cancels the starting session', from: 'Created', events: ['startRequested', 'cancelled'], to: 'Cancelled' },
    { story: 'a charger that begins after the app gave up on the start: the car is charging', from: 'Starting', events: ['startFailed', 'chargerStarted', 'chargerStopped'], to: 'Completed' },
    { story: 'a charger that begins a cancelled session after all', from: 'Starting', events: ['cancelled', 'chargerStarted'], to: 'Charging' },
    { story: 'a late start of a failed session with a refused card', from: 'Starting', events: ['startFailed', 'chargerStartRefused'], to: 'Stopping' },
    { story: 'a late start of a cancelled session with a refused card', from: 'Starting', events: ['cancelled', 'chargerStartRefused'], to: 'Stopping' },
  ],
  forbidden: [
    { rule: 'a session is started once', never: [['Starting', 'startRequested'], ['Charging', 'startRequested'], ['Completed', 'startRequested'], ['Failed', 'startRequested']] },
    { rule: 'only a new row is created', never: [['Created', 'created'], ['Completed', 'created']] },
    { rule: 'only an existing session is started', never: [[null, 'startRequested'], [null, 'startFailed'], [null, 'cancelled'], [null, 'closed']] },
    {
      rule: 'a session its charger began neither fails nor is cancelled',
      never: [['Charging', 'startFailed'], ['Stopping', 'startFailed'], ['Completed', 'startFailed'], ['Charging', 'cancelled'], ['Stopping', 'cancelled'], ['Completed', 'cancelled']],
    },
    { rule: "the charger's start belongs to a session the app asked it to start", never: [['Created', 'chargerStarted'], ['Created', 'chargerStartRefused']] },
    { rule: 'a charger starts a session once', never: [['Charging', 'chargerStarted'], ['Stopping', 'chargerStarted'], ['Completed', 'chargerStarted'], ['Charging', 'chargerStartRefused']] },
    { rule: 'a stop never completes a session no charger began', never: [['Created', 'chargerStopped'], ['Failed', 'chargerStopped'], ['Cancelled', 'chargerStopped']] },
    { rule: 'the central system closes only open sessions', never: [['Completed', 'closed'], ['Created', 'closed'], ['Failed', 'closed'], ['Cancelled', 'closed']] },
  ],
});

describe('the session status groups', () => {
  it('running: where a charger\'s start leads', () => {
    expect([...RUNNING_SESSION_STATUSES].sort()).toEqual([sessionLifecycle.to('chargerStarted'), sessionLifecycle.to('chargerStartRefused')].sort());
  });

  it('open: what a charger\'s stop and the central system\'s close complete', () => {
    expect([...OPEN_SESSION_STATUSES].sort()).toEqual(sessionLifecycle.from('closed').sort());
    for (const status of OPEN_SESSION_STATUSES) expect(sessionLifecycle.next(status, 'chargerStopped')).toBe('Completed');
  });

  it('not begun: what a failed start and a cancel end', () => {
    expect([...NOT_BEGUN_SESSION_STATUSES].sort()).toEqual(sessionLifecycle.from('startFailed').sort());
    expect([...NOT_BEGUN_SESSION_STATUSES].sort()).toEqual(sessionLifecycle.from('cancelled').sort());
  });

  it('finished: no request of the app changes them', () => {
    for (const status of FINISHED_SESSION_STATUSES) for (const event of appEvents) expect(sessionLifecycle.next(status, event)).toBeUndefined();
  });

  it('app-only: reached by the app\'s requests alone, except Starting, which waits for its charger\'s report', () => {
    const reached = new Set<SessionStatus>();
    let frontier: (SessionStatus | null)[] = [null];
    while (frontier.length) {
      const next = frontier.flatMap((status) => appEvents.map((event) => sessionLifecycle.next(status, event))).filter((status): status is SessionStatus => status !== undefined && !reached.has(status));
      for (const status of next) reached.add(status);
      frontier = next;
    }
    reached.delete('Starting');
    expect([...APP_ONLY_SESSION_STATUSES].sort()).toEqual([...reached].sort());
  });
});
