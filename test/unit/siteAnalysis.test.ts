import { describe, expect, it } from 'vitest';
import { analyseSiteRun, exponential, seededRandom, type SessionSpan, type SiteRules, type SiteSample } from '../../src/sim/index.ts';

/** 63 A on three phases; a session settles within 5 s and may wait 5 s at a stretch. */
const RULES: SiteRules = { limitW: 63 * 690, wattsPerAmpere: 690, minimumA: 6, settleMs: 5000, starvationMs: 5000, toleranceW: 10 };
const STEP_MS = 1000;

/** Samples one second apart from t = 0, each row the chargers' currents in A. */
function timeline(rows: readonly (readonly number[])[]): SiteSample[] {
  return rows.map((currents, i) => ({ at: i * STEP_MS, powerW: currents.map((a) => a * 690) }));
}

/** `n` rows of the same currents. */
const repeat = (n: number, currents: readonly number[]) => Array.from({ length: n }, () => currents);

const analyse = (rows: readonly (readonly number[])[], sessions: SessionSpan[], rules: Partial<SiteRules> = {}) =>
  analyseSiteRun(timeline(rows), sessions, rows.length * STEP_MS, { ...RULES, ...rules });

describe('the judgement of a simulated site run', () => {
  it('finds nothing wrong with sessions that share the limit, and tells each charger\'s time charging and waiting', () => {
    const rows = [...repeat(10, [32, 0]), ...repeat(10, [31.5, 31.5])];
    const report = analyse(rows, [{ charger: 0, start: 0, end: 20_000 }, { charger: 1, start: 10_000, end: 20_000 }]);
    expect(report.violations).toEqual([]);
    expect(report.overshoots).toEqual([]);
    expect(report.maxTotalW).toBe(63 * 690);
    expect(report.chargers).toEqual([{ sessionMs: 20_000, chargingMs: 20_000, waitingMs: 0 }, { sessionMs: 10_000, chargingMs: 10_000, waitingMs: 0 }]);
    // Charger 1 settles 5 s after its start; the minimum counts from then.
    expect(report.sessions[1]).toMatchObject({ minA: 31.5, meanA: 31.5, waitedMs: 0 });
    expect(report.sessions[0]).toMatchObject({ minA: 31.5 });
  });

  it('accepts an overshoot that ends within the settle time after a session start, and measures how long it took', () => {
    // A third car draws 32 A for 3 s until its profile brings everyone to 21 A.
    const rows = [...repeat(5, [31.5, 31.5, 0]), ...repeat(3, [31.5, 31.5, 32]), ...repeat(5, [21, 21, 21])];
    const sessions = [{ charger: 0, start: 0, end: 13_000 }, { charger: 1, start: 0, end: 13_000 }, { charger: 2, start: 5000, end: 13_000 }];
    const report = analyse(rows, sessions);
    expect(report.overshoots).toEqual([{ start: 5000, durationMs: 3000, peakW: 95 * 690, excused: true }]);
    expect(report.longestReactionMs).toBe(3000);
    expect(report.violations).toEqual([]);
  });

  it('holds against the balancer an overshoot that outlasts the settle time, and one no session start explains', () => {
    const late = analyse([...repeat(2, [32, 0]), ...repeat(7, [32, 32])], [{ charger: 0, start: 0, end: 9000 }, { charger: 1, start: 2000, end: 9000 }]);
    expect(late.overshoots).toEqual([{ start: 2000, durationMs: 7000, peakW: 64 * 690, excused: false }]);
    expect(late.longestReactionMs).toBe(7000);
    // Over the limit until 7 s: 5 s after the start is still within the settle time, the sample at 7 s is not.
    expect(late.violations).toEqual([expect.objectContaining({ kind: 'overshoot', at: 7000 })]);

    const rows = [...repeat(8, [31.5, 31.5]), [40, 31.5], ...repeat(2, [31.5, 31.5])];
    const sessions = [{ charger: 0, start: 0, end: 11_000 }, { charger: 1, start: 0, end: 11_000 }];
    expect(analyse(rows, sessions).violations).toEqual([expect.objectContaining({ kind: 'overshoot', at: 8000 })]);
    // Unless it falls in an excused window (a node killed, say).
    expect(analyse(rows, sessions, { excused: [{ from: 7000, to: 9000, why: 'a node was killed' }] }).violations).toEqual([]);
  });

  it('allows the meters\' rounding above the limit', () => {
    const rows = repeat(10, [31.5, 31.5]).map(() => [31.5, 31.5 + 5 / 690]);
    expect(analyse(rows, [{ charger: 0, start: 0, end: 10_000 }, { charger: 1, start: 0, end: 10_000 }]).overshoots).toEqual([]);
  });

  it('wants a settled session at the minimum or more, or at 0 A, never between', () => {
    const sessions = [{ charger: 0, start: 0, end: 10_000 }];
    expect(analyse(repeat(10, [3]), sessions).violations).toEqual([expect.objectContaining({ kind: 'belowMinimum', at: 5000, charger: 0 })]);
    // Before it settles, anything goes.
    expect(analyse([...repeat(5, [3]), ...repeat(5, [6])], sessions).violations).toEqual([]);
  });

  it('lets a session wait only while the running sessions cannot all have the minimum, and not for ever', () => {
    // Ten sessions on 63 A: 6.3 A each is possible, so waiting is wrong once the balancer has caught up.
    const ten = Array.from({ length: 10 }, (_, charger) => ({ charger, start: 0, end: 12_000 }));
    const oneWaits = repeat(12, [0, ...Array(9).fill(7)]);
    expect(analyse(oneWaits, ten).violations).toEqual([
      expect.objectContaining({ kind: 'waiting', at: 5000, charger: 0 }),
      expect.objectContaining({ kind: 'starved', charger: 0 }),
    ]);
    expect(analyse(repeat(12, Array(10).fill(6.3)), ten).violations).toEqual([]);

    // Eleven: one of them has to wait; the site is over-subscribed, which the minimum does not count.
    const eleven = Array.from({ length: 11 }, (_, charger) => ({ charger, start: 0, end: 8000 }));
    const report = analyse(repeat(8, [0, ...Array(10).fill(6.3)]), eleven);
    expect(report.violations).toEqual([]);
    expect(report.sessions[0]).toMatchObject({ minA: undefined, waitedMs: 3000, longestWaitMs: 3000 });
    expect(report.chargers[0]).toEqual({ sessionMs: 8000, chargingMs: 0, waitingMs: 8000 });
    // Waiting beyond the starvation bound is starving, over-subscribed or not.
    expect(analyse(repeat(12, [0, ...Array(10).fill(6.3)]), eleven.map((s) => ({ ...s, end: 12_000 }))).violations)
      .toEqual([expect.objectContaining({ kind: 'starved', charger: 0 })]);
  });

  it('gives the balancer the settle time to hand a finished session\'s current to one that waited', () => {
    // Charger 10 ends at 8 s; charger 0, waiting since its start, gets 6.3 A 3 s later.
    const sessions = [
      { charger: 0, start: 0, end: 16_000 },
      ...Array.from({ length: 9 }, (_, i) => ({ charger: i + 1, start: 0, end: 16_000 })),
      { charger: 10, start: 0, end: 8000 },
    ];
    const rows = [...repeat(8, [0, ...Array(10).fill(6.3)]), ...repeat(3, [0, ...Array(9).fill(6.3), 0]), ...repeat(5, [...Array(10).fill(6.3), 0])];
    const report = analyse(rows, sessions, { starvationMs: 10_000 });
    expect(report.violations).toEqual([]);
    expect(report.sessions[0]).toMatchObject({ waitedMs: 6000, longestWaitMs: 6000 });
    // Had it waited on past the settle time after the end, it would be a violation.
    const slow = [...repeat(8, [0, ...Array(10).fill(6.3)]), ...repeat(8, [0, ...Array(9).fill(6.3), 0])];
    expect(analyseSiteRun(timeline(slow), sessions, 16_000, { ...RULES, starvationMs: 20_000 }).violations)
      .toEqual([expect.objectContaining({ kind: 'waiting', at: 13_000, charger: 0 })]);
  });
});

describe('the seeded generator of a site run', () => {
  it('gives the same numbers for the same seed, others for another, all in [0, 1)', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 1000 }, () => random());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(8)).not.toEqual(draw(7));
    expect(draw(7).every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(draw(7)).size).toBe(1000);
  });

  it('draws exponential durations with the asked mean', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 20_000 }, () => exponential(random, 10_000));
    const mean = draws.reduce((sum, d) => sum + d, 0) / draws.length;
    expect(mean).toBeGreaterThan(9_700);
    expect(mean).toBeLessThan(10_300);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
  });
});
