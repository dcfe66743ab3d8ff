import { describe, expect, it } from 'vitest';
import { CarDemand } from '../../src/domain/balancing/carDemand.ts';

const W_PER_A = 3 * 230;
const given = { sessionId: 7, currentA: 16, phases: 3, sentAt: 0 };
const later = 60_000;

describe('CarDemand', () => {
  it('lowers the limit of a car drawing well below it to its draw plus headroom, never below 6 A', () => {
    const demand = new CarDemand();
    expect(demand.observe('1:1', given, 9 * W_PER_A, later)).toBe(true);
    expect(demand.capOf('1:1', 7)).toBe(11);
    const full = new CarDemand();
    expect(full.observe('1:1', given, 0, later)).toBe(true);
    expect(full.capOf('1:1', 7)).toBe(6);
  });

  it('leaves a car alone that uses most of its limit, or whose limit is new', () => {
    const demand = new CarDemand();
    expect(demand.observe('1:1', given, 14.5 * W_PER_A, later)).toBe(false);
    expect(demand.observe('1:1', { ...given, sentAt: later - 5_000 }, 0, later)).toBe(false);
    expect(demand.capOf('1:1', 7)).toBeUndefined();
  });

  it('lifts the lowering once the car draws close to it again, and not before', () => {
    const demand = new CarDemand();
    demand.observe('1:1', given, 5 * W_PER_A, later);
    expect(demand.capOf('1:1', 7)).toBe(7);
    const lowered = { ...given, currentA: 7 };
    expect(demand.observe('1:1', lowered, 5.5 * W_PER_A, later + 20_000)).toBe(false);
    expect(demand.observe('1:1', lowered, 6.5 * W_PER_A, later + 30_000)).toBe(true);
    expect(demand.capOf('1:1', 7)).toBeUndefined();
  });

  it('keeps a lowering to its session', () => {
    const demand = new CarDemand();
    demand.observe('1:1', given, 0, later);
    expect(demand.capOf('1:1', 8)).toBeUndefined();
    demand.forgetSession(7);
    expect(demand.capOf('1:1', 7)).toBeUndefined();
  });
});
