import { describe, expect, it } from 'vitest';
import { currentsPerPhase, historyStep, MAX_HISTORY_MS, MAX_HISTORY_POINTS } from '../../src/domain/balancing/siteLoad.ts';
import { availableCurrent, siteLimit } from '../../src/domain/balancing/siteLimits.ts';

describe('a site\'s limit', () => {
  it('is the power limit or the current limit on every phase at 230 V, each less the reserve, whichever is less', () => {
    expect(availableCurrent({ maxCurrent: 63, reserveCurrent: 10 })).toBe(53);
    expect(siteLimit({ maxCurrent: 63, reserveCurrent: 10, phases: 3, maxPower: null })).toBe(53 * 3 * 230);
    expect(siteLimit({ maxCurrent: 63, reserveCurrent: 10, phases: 1, maxPower: null })).toBe(53 * 230);
    expect(siteLimit({ maxCurrent: 63, reserveCurrent: 10, phases: 3, maxPower: 30_000 })).toBe(30_000 - 10 * 3 * 230);
    expect(siteLimit({ maxCurrent: 16, reserveCurrent: 0, phases: 3, maxPower: 30_000 })).toBe(16 * 3 * 230);
  });

  it('is the power limit less the reserve without a current limit, and none without either', () => {
    expect(availableCurrent({ maxCurrent: null, reserveCurrent: 10 })).toBeNull();
    expect(siteLimit({ maxCurrent: null, reserveCurrent: 10, phases: 3, maxPower: 22_000 })).toBe(22_000 - 10 * 3 * 230);
    expect(siteLimit({ maxCurrent: null, reserveCurrent: 0, phases: 1, maxPower: 22_000 })).toBe(22_000);
    expect(siteLimit({ maxCurrent: null, reserveCurrent: 0, phases: 3, maxPower: null })).toBeNull();
  });
});

describe('the balancer\'s limits per site phase', () => {
  it('counts a three-phase charger on every phase and a single-phase one on the site phase it is wired to', () => {
    expect(currentsPerPhase(3, [
      { phaseConnection: 'L1L2L3', current: 10 },
      { phaseConnection: 'L2', current: 16 },
      { phaseConnection: 'L3', current: 6 },
    ])).toEqual({ L1: 10, L2: 26, L3: 16 });
    expect(currentsPerPhase(3, [{ phaseConnection: 'L2L3L1', current: 8 }])).toEqual({ L1: 8, L2: 8, L3: 8 });
  });

  it('puts everything on L1 of a single-phase site, and nothing anywhere without limits', () => {
    expect(currentsPerPhase(1, [
      { phaseConnection: 'L1L2L3', current: 10 },
      { phaseConnection: 'L3', current: 16 },
    ])).toEqual({ L1: 26, L2: 0, L3: 0 });
    expect(currentsPerPhase(3, [])).toEqual({ L1: 0, L2: 0, L3: 0 });
  });
});

describe('the step of a site\'s load history', () => {
  it('is 10 s for an hour or less, and grows in round steps to keep to the points a chart has room for', () => {
    expect(historyStep(60_000)).toBe(10);
    expect(historyStep(3_600_000)).toBe(10);
    expect(historyStep(3_600_001)).toBe(15);
    expect(historyStep(6 * 3_600_000)).toBe(60);
    expect(historyStep(MAX_HISTORY_MS)).toBe(1800);
    for (const span of [1, 59_999, 3_600_000, 5_000_000, 86_400_000, 3 * 86_400_000, MAX_HISTORY_MS]) {
      expect(span / (historyStep(span) * 1000), String(span)).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    }
  });
});
