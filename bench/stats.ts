/** The q-quantile (0..1) of ascending samples by nearest rank; NaN when there are none. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)]!;
}

/** b / a for "how many times a": undefined when either is missing or a is 0. */
export function ratio(b: number | undefined, a: number | undefined): number | undefined {
  if (b === undefined || a === undefined || a === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  return b / a;
}
