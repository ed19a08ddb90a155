/**
 * Fixed histogram buckets shared by the hourly rollups and the Prometheus histograms. Percentiles are read
 * from merged bucket counts, never averaged across hours. Changing a bound changes stored columns: add a new
 * migration, never edit these in place.
 */

/** Upper bounds (ms, inclusive) of the latency and time-to-first-token buckets; a last bucket is +Inf. */
export const LATENCY_BOUNDS_MS: readonly number[] = [25, 50, 100, 250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000];
/** Upper bounds (ms, inclusive) of the gateway-overhead buckets (total time minus time spent upstream). */
export const OVERHEAD_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000];

/** Index of the bucket a value falls in: the first bound ≥ value, or bounds.length for +Inf. */
export function bucketIndex(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i += 1) if (value <= bounds[i]!) return i;
  return bounds.length;
}

/**
 * The q-quantile (0–1) of per-bucket counts (not cumulative; length bounds.length + 1), interpolated linearly
 * inside its bucket as Prometheus' histogram_quantile does. Null when there are no observations; a quantile in
 * the +Inf bucket is reported as the largest finite bound.
 */
export function quantileFromBuckets(bounds: readonly number[], counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const count = counts[i]!;
    if (count > 0 && seen + count >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return Math.round(lower + (upper - lower) * ((rank - seen) / count));
    }
    seen += count;
  }
  return bounds[bounds.length - 1]!;
}
