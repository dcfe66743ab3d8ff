import { describe, expect, it } from 'vitest';
import { allocate, SITE_PHASES, VOLTS_PER_PHASE, type ConnectorDemand, type SitePhase } from '../../src/domain/balancing/allocation.ts';

const THREE: SitePhase[] = ['L1', 'L2', 'L3'];

function demand(key: string, overrides: Partial<ConnectorDemand> = {}): ConnectorDemand {
  return { key, phases: THREE, weight: 1, since: Number(key.replace(/\D/g, '')) || 0, capA: 32, capReason: 'charger', ...overrides };
}

const byKey = (allocations: ReturnType<typeof allocate>) => Object.fromEntries(allocations.map((a) => [a.key, a]));

describe('allocate', () => {
  it('gives every connector its maximum when the site has room', () => {
    const result = allocate({ currentA: 100, powerW: null }, [demand('c1'), demand('c2')]);
    expect(result).toEqual([{ key: 'c1', currentA: 32, reason: 'charger' }, { key: 'c2', currentA: 32, reason: 'charger' }]);
  });

  it('shares 63 A equally among ten 32 A chargers, none below the minimum', () => {
    const demands = Array.from({ length: 10 }, (_, i) => demand(`c${i}`));
    const result = allocate({ currentA: 63, powerW: null }, demands);
    for (const allocation of result) {
      expect(allocation.currentA).toBeCloseTo(6.3, 5);
      expect(allocation.reason).toBe('site');
    }
  });

  it('makes the latest session wait at 0 A when the minimum is not left for it', () => {
    const demands = Array.from({ length: 11 }, (_, i) => demand(`c${i + 1}`, { since: i }));
    const result = byKey(allocate({ currentA: 63, powerW: null }, demands));
    expect(result.c11).toEqual({ key: 'c11', currentA: 0, reason: 'minimum' });
    const charging = Object.values(result).filter((a) => a.currentA > 0);
    expect(charging).toHaveLength(10);
    expect(charging.reduce((sum, a) => sum + a.currentA, 0)).toBeLessThanOrEqual(63);
  });

  it('gives a higher priority the minimum first and a larger share', () => {
    const result = byKey(allocate({ currentA: 15, powerW: null }, [
      demand('c1', { since: 1 }), demand('c2', { since: 2 }), demand('c3', { since: 3, weight: 2 }),
    ]));
    // 15 A: c3 (priority 2) and c1 (earlier) get their 6 A; c2 waits; c3's share is twice c1's, never below 6 A.
    expect(result.c2).toEqual({ key: 'c2', currentA: 0, reason: 'minimum' });
    expect(result.c3!.currentA).toBeCloseTo(9, 5);
    expect(result.c1!.currentA).toBeCloseTo(6, 5);
    const roomy = byKey(allocate({ currentA: 30, powerW: null }, [demand('c1'), demand('c3', { weight: 2 })]));
    expect(roomy.c3!.currentA).toBeCloseTo(20, 5);
    expect(roomy.c1!.currentA).toBeCloseTo(10, 5);
  });

  it('gives what a connector does not use to the others', () => {
    const result = byKey(allocate({ currentA: 40, powerW: null }, [demand('c1', { capA: 8, capReason: 'demand' }), demand('c2'), demand('c3')]));
    expect(result.c1).toEqual({ key: 'c1', currentA: 8, reason: 'demand' });
    expect(result.c2!.currentA).toBeCloseTo(16, 5);
    expect(result.c3!.currentA).toBeCloseTo(16, 5);
  });

  it('counts fixed draws first and shares the rest', () => {
    const result = byKey(allocate({ currentA: 63, powerW: null }, [
      demand('c1', { fixed: { currentA: 32, reason: 'unsupported' } }), demand('c2'), demand('c3'),
    ]));
    expect(result.c1).toEqual({ key: 'c1', currentA: 32, reason: 'unsupported' });
    expect(result.c2!.currentA).toBeCloseTo(15.5, 5);
    expect(result.c3!.currentA).toBeCloseTo(15.5, 5);
  });

  it('lets single-phase chargers on a free phase take more', () => {
    const result = byKey(allocate({ currentA: 32, powerW: null }, [
      demand('c1', { phases: ['L1'] }), demand('c2', { phases: ['L1'] }), demand('c3', { phases: ['L2'] }),
    ]));
    expect(result.c1!.currentA).toBeCloseTo(16, 5);
    expect(result.c2!.currentA).toBeCloseTo(16, 5);
    expect(result.c3).toEqual({ key: 'c3', currentA: 32, reason: 'charger' });
  });

  it('keeps within a power limit', () => {
    const result = allocate({ currentA: null, powerW: 22_080 }, [demand('c1'), demand('c2')]);
    for (const allocation of result) expect(allocation.currentA).toBeCloseTo(16, 5);
  });

  it('gives 0 to a session whose plan says not now', () => {
    const result = allocate({ currentA: 63, powerW: null }, [demand('c1', { capA: 0, capReason: 'plan' })]);
    expect(result).toEqual([{ key: 'c1', currentA: 0, reason: 'plan' }]);
  });

  it('holds its rules for any site and any mix of connectors', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 500; run += 1) {
      const currentA = random() < 0.2 ? null : 6 + random() * 120;
      const powerW = random() < 0.6 ? null : 4_000 + random() * 80_000;
      const demands = Array.from({ length: 1 + Math.floor(random() * 25) }, (_, i): ConnectorDemand => {
        const single = random() < 0.3;
        const d = demand(`c${i}`, {
          phases: single ? [SITE_PHASES[Math.floor(random() * 3)]!] : THREE,
          weight: 1 + Math.floor(random() * 3),
          since: Math.floor(random() * 100),
          capA: random() < 0.15 ? 0 : 6 + random() * 26,
          capReason: random() < 0.5 ? 'charger' : 'demand',
        });
        return random() < 0.1 ? { ...d, fixed: { currentA: 6 + random() * 10, reason: 'unsupported' } } : d;
      });
      const result = allocate({ currentA, powerW }, demands);
      const load = new Map(SITE_PHASES.map((p) => [p, 0]));
      let power = 0;
      let fixedLoad = false;
      demands.forEach((d, i) => {
        const a = result[i]!;
        expect(a.key).toBe(d.key);
        if (d.fixed) {
          fixedLoad = true;
          expect(a.currentA).toBe(d.fixed.currentA);
        } else {
          expect(a.currentA === 0 || a.currentA >= 6).toBe(true);
          expect(a.currentA).toBeLessThanOrEqual(Math.max(d.capA, 0) + 1e-9);
        }
        for (const p of d.phases) load.set(p, load.get(p)! + a.currentA);
        power += a.currentA * d.phases.length * VOLTS_PER_PHASE;
      });
      // Fixed draws may already exceed the site; the balancer can only keep the rest at 0 then.
      if (!fixedLoad) {
        for (const p of SITE_PHASES) expect(load.get(p)!).toBeLessThanOrEqual((currentA ?? Infinity) + 1e-6);
        expect(power).toBeLessThanOrEqual((powerW ?? Infinity) + 1e-3);
      }
      // Nobody waits while the minimum would still fit for them.
      demands.forEach((d, i) => {
        if (result[i]!.reason !== 'minimum') return;
        const phaseRoom = d.phases.every((p) => load.get(p)! + 6 <= (currentA ?? Infinity) + 1e-9);
        const powerRoom = power + 6 * d.phases.length * VOLTS_PER_PHASE <= (powerW ?? Infinity) + 1e-6;
        expect(phaseRoom && powerRoom && !fixedLoad).toBe(false);
      });
    }
  });
});
