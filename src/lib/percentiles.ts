/** Percentiles from a latency histogram (src/store/stats.ts): pure, tested in Node. */

/** The upper bounds of the latency buckets, as the trigger of migration 0008 writes them (then +Inf). */
export const LATENCY_BOUNDS_MS = [
  100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 86_400_000,
] as const;

/** Each percentile as the upper bound of the bucket it falls in: an honest bound, never an interpolation. */
export function percentiles(buckets: readonly { le_ms: number | null; count: number }[]): {
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
} {
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const at = (q: number): number | null => {
    if (total === 0) return null;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const bucket of buckets) {
      seen += bucket.count;
      if (seen >= rank) return bucket.le_ms ?? Number.POSITIVE_INFINITY;
    }
    return null;
  };
  const finite = (value: number | null) => (value === Number.POSITIVE_INFINITY ? null : value);
  return { p50_ms: finite(at(0.5)), p90_ms: finite(at(0.9)), p99_ms: finite(at(0.99)) };
}
