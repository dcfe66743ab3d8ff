/** A source of uniform numbers in [0, 1), as Math.random. */
export type Random = () => number;

/**
 * A seeded generator (mulberry32): the same seed gives the same run of numbers, so a
 * simulated site run can be repeated. Node has no seedable generator and Math.random
 * cannot be seeded; these few lines are the whole of what a package would add.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A duration drawn from the exponential distribution with this mean (arrivals that do not remember the last one). */
export function exponential(random: Random, meanMs: number): number {
  return -meanMs * Math.log(1 - random());
}
