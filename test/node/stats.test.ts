import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentiles } from '../../src/lib/percentiles';

describe('latency percentiles from a histogram', () => {
  it('answer the upper bound of the bucket holding the rank', () => {
    const buckets = [
      { le_ms: 100, count: 50 },
      { le_ms: 1000, count: 40 },
      { le_ms: 10_000, count: 9 },
      { le_ms: null, count: 1 },
    ];
    expect(percentiles(buckets)).toEqual({ p50_ms: 100, p90_ms: 1000, p99_ms: 10_000 });
    expect(percentiles([{ le_ms: null, count: 3 }])).toEqual({ p50_ms: null, p90_ms: null, p99_ms: null });
    expect(percentiles([])).toEqual({ p50_ms: null, p90_ms: null, p99_ms: null });
  });

  it('never decrease from p50 to p99, and bound the true percentile of the samples from above', () => {
    const bounds = [100, 250, 500, 1000, 2500, 5000];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 300 }),
        (samples) => {
          const buckets = bounds.map((le, i) => ({
            le_ms: le,
            count: samples.filter((x) => x <= le && (i === 0 || x > bounds[i - 1]!)).length,
          }));
          const p = percentiles(buckets);
          const sorted = [...samples].sort((a, b) => a - b);
          const truth = (q: number) => sorted[Math.ceil(q * sorted.length) - 1]!;
          expect(p.p50_ms!).toBeLessThanOrEqual(p.p90_ms!);
          expect(p.p90_ms!).toBeLessThanOrEqual(p.p99_ms!);
          expect(p.p50_ms!).toBeGreaterThanOrEqual(truth(0.5));
          expect(p.p99_ms!).toBeGreaterThanOrEqual(truth(0.99));
        },
      ),
      { seed: 20261203 },
    );
  });
});
